/** After a turn failed for good; true because the thread then goes to a person. */
export const FALLBACK_ANSWER = "Sorry, I couldn't complete that just now. A colleague will follow up here shortly.";
/** When the model gave no usable answer this time (incomplete, a limit hit): the bot stays on the thread. */
export const NO_ANSWER_TEXT =
  "Sorry, I couldn't complete that just now. Could you ask again, perhaps in other words? If you'd rather talk to a person, just say so.";
