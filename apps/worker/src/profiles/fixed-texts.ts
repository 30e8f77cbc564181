import type { Language } from './language';

/**
 * Every text a visitor can read that the model does not write, except a profile's welcome and its
 * buttons (those live with the profile: default-profiles.ts). `{name}` marks a value filled in.
 * Romanian and Dutch address the visitor informally (tu / je), as a chat does.
 */
export interface FixedTexts {
  /** The chat was handed to a person (asked for one, the model handed off). */
  handoff: string;
  /** A conversation cost cap was reached: a person takes over. */
  capReached: string;
  /** A turn failed for good: a person takes over. */
  fallback: string;
  /** The model gave no usable answer this time (incomplete, a limit hit): the bot stays on. */
  noAnswer: string;
  /** Posted instead of an answer that quoted the instructions. */
  refusal: string;
  /** The visitor sent only a picture or a file: what the assistant can do with it. */
  attachmentOnly: string;
  visitorLimit: string;
  dailyLimit: string;
  /** Added under an answer while the daily ListaFirme credit cap keeps paid lookups off. */
  paidToolsPaused: string;
  codeAccepted: string;
  /** A wrong code with `{attemptsLeft}` tries left (2 or more). */
  codeWrong: string;
  /** A wrong code with one try left. */
  codeWrongLastTry: string;
  codeExpired: string;
  codeLocked: string;
  staffPrompt: string;
  staffCodeSent: string;
  staffVerified: string;
  staffUnavailable: string;
  codesRateLimited: string;
  /** The handoff text outside business hours; `{when}`: "on Monday from 09:00 (Europe/Bucharest time)". */
  handoffClosed: string;
  /** Out of hours with HANDOFF_OUTSIDE_HOURS=stay: the bot stays on and offers to take a message. */
  stayClosed: string;
  /** Added to the fallback and cost-cap texts out of hours (they hand off too). */
  closedNote: string;
  /** The feedback buttons under an answer (FEEDBACK_EVERY_N_ANSWERS): helped, and "hand me to a person". */
  feedbackHelped: string;
  feedbackMoreHelp: string;
  /** The reply to "That helped". */
  feedbackThanks: string;
}

export type TextKey = keyof FixedTexts;

/** Per language, the texts PROFILES_FILE (and HANDOFF_MESSAGE / CAP_MESSAGE) put over the catalogue. */
export type TextOverrides = Partial<Record<Language, Partial<FixedTexts>>>;

/** The shipped catalogue. */
export const FIXED_TEXTS: Record<Language, FixedTexts> = {
  en: {
    handoff: "Thanks! I've passed this conversation to a colleague, who will reply here shortly.",
    capReached: 'Thanks for your patience! A colleague will take over this conversation from here and reply shortly.',
    fallback: "Sorry, I couldn't complete that just now. A colleague will follow up here shortly.",
    noAnswer:
      "Sorry, I couldn't complete that just now. Could you ask again, perhaps in other words? If you'd rather talk to a person, just say so.",
    refusal: "Sorry, I can't share that. Is there anything else I can help you with?",
    attachmentOnly:
      "Thanks! I can't open pictures or files in this chat. Could you type what you need, for example the company's name or CUI?",
    visitorLimit:
      'You have sent many messages in a short time, so I am pausing for a while. Write "I want to talk to a person" if you need help now.',
    dailyLimit:
      'I cannot answer more questions today. If you need help now, write "I want to talk to a person" and a colleague will reply.',
    paidToolsPaused: 'Company lookups are paused for today.',
    codeAccepted: 'Thank you, your e-mail address is verified.',
    codeWrong: 'That code is not right. You can try {attemptsLeft} more times.',
    codeWrongLastTry: 'That code is not right. You can try 1 more time.',
    codeExpired: 'That code has expired or was not requested here. Ask me to send a new one.',
    codeLocked: 'Too many wrong codes. Ask me to send a new one.',
    staffPrompt:
      'This assistant is for our staff. To continue, type your work e-mail address and I will send you a 6-digit code.',
    staffCodeSent: 'If that is a staff address, a 6-digit code is on its way to it. Type the code here.',
    staffVerified: 'Verified. You can now search, create and update contacts.',
    staffUnavailable:
      'This assistant is for our staff, and staff verification is not available right now. Write "I want to talk to a person" and a colleague will help you.',
    codesRateLimited: 'Too many codes were requested. Please try again later.',
    handoffClosed:
      "Thanks! I've passed this conversation to a colleague. Our team is away right now: a colleague will reply here {when}.",
    stayClosed:
      "Our team is away right now and will be back {when}. I can take a message: write what you need and how we can reach you, and a colleague will follow up. Meanwhile I'm happy to keep helping here.",
    closedNote: 'Our team is away right now: a colleague will reply here {when}.',
    feedbackHelped: 'That helped',
    feedbackMoreHelp: 'I need more help',
    feedbackThanks: 'Glad I could help! Write here anytime if you need anything else.',
  },
  ro: {
    handoff: 'Mulțumesc! Am transmis conversația unui coleg, care îți va răspunde aici în curând.',
    capReached: 'Mulțumesc pentru răbdare! Un coleg preia conversația de aici și îți va răspunde în curând.',
    fallback: 'Îmi pare rău, nu am reușit să termin asta acum. Un coleg îți va răspunde aici în curând.',
    noAnswer:
      'Îmi pare rău, nu am reușit să termin asta acum. Poți întreba din nou, poate cu alte cuvinte? Dacă preferi să vorbești cu un om, spune-mi.',
    refusal: 'Îmi pare rău, nu pot împărtăși asta. Te mai pot ajuta cu altceva?',
    attachmentOnly:
      'Mulțumesc! Nu pot deschide imagini sau fișiere în acest chat. Poți scrie ce îți trebuie, de exemplu numele firmei sau CUI-ul?',
    visitorLimit:
      'Ai trimis multe mesaje într-un timp scurt, așa că fac o pauză. Scrie „vreau să vorbesc cu un om” dacă ai nevoie de ajutor acum.',
    dailyLimit:
      'Nu mai pot răspunde la întrebări astăzi. Dacă ai nevoie de ajutor acum, scrie „vreau să vorbesc cu un om” și îți răspunde un coleg.',
    paidToolsPaused: 'Căutările de firme sunt oprite pentru astăzi.',
    codeAccepted: 'Mulțumesc, adresa ta de e-mail este verificată.',
    codeWrong: 'Codul nu este corect. Mai poți încerca de {attemptsLeft} ori.',
    codeWrongLastTry: 'Codul nu este corect. Mai poți încerca o dată.',
    codeExpired: 'Codul a expirat sau nu a fost cerut aici. Cere-mi să trimit unul nou.',
    codeLocked: 'Prea multe coduri greșite. Cere-mi să trimit unul nou.',
    staffPrompt:
      'Acest asistent este pentru colegii noștri. Pentru a continua, scrie adresa ta de e-mail de serviciu și îți trimit un cod de 6 cifre.',
    staffCodeSent: 'Dacă aceasta este o adresă de angajat, un cod de 6 cifre este pe drum. Scrie codul aici.',
    staffVerified: 'Verificat. Acum poți căuta, crea și actualiza contacte.',
    staffUnavailable:
      'Acest asistent este pentru colegii noștri, iar verificarea nu este disponibilă acum. Scrie „vreau să vorbesc cu un om” și te ajută un coleg.',
    codesRateLimited: 'Au fost cerute prea multe coduri. Te rog încearcă mai târziu.',
    handoffClosed:
      'Mulțumesc! Am transmis conversația unui coleg. Echipa noastră nu este disponibilă acum: un coleg îți va răspunde aici {when}.',
    stayClosed:
      'Echipa noastră nu este disponibilă acum și revine {when}. Pot prelua un mesaj: scrie ce îți trebuie și cum te putem contacta, iar un coleg îți va răspunde. Între timp, te pot ajuta în continuare aici.',
    closedNote: 'Echipa noastră nu este disponibilă acum: un coleg îți va răspunde aici {when}.',
    feedbackHelped: 'M-a ajutat',
    feedbackMoreHelp: 'Am nevoie de mai mult ajutor',
    feedbackThanks: 'Mă bucur că te-am putut ajuta! Scrie-ne aici oricând ai nevoie de altceva.',
  },
  nl: {
    handoff: 'Bedankt! Ik heb dit gesprek doorgegeven aan een collega, die je hier snel antwoordt.',
    capReached: 'Bedankt voor je geduld! Een collega neemt dit gesprek vanaf hier over en antwoordt je snel.',
    fallback: 'Sorry, dat lukte me nu niet. Een collega komt hier snel bij je terug.',
    noAnswer:
      'Sorry, dat lukte me nu niet. Kun je het nog eens vragen, misschien in andere woorden? Wil je liever iemand spreken, zeg het dan gewoon.',
    refusal: 'Sorry, dat kan ik niet delen. Kan ik je ergens anders mee helpen?',
    attachmentOnly:
      'Bedankt! Ik kan in deze chat geen afbeeldingen of bestanden openen. Kun je typen wat je nodig hebt, bijvoorbeeld de naam van het bedrijf?',
    visitorLimit:
      'Je hebt in korte tijd veel berichten gestuurd, dus ik pauzeer even. Schrijf "ik wil een medewerker spreken" als je nu hulp nodig hebt.',
    dailyLimit:
      'Ik kan vandaag geen vragen meer beantwoorden. Heb je nu hulp nodig, schrijf dan "ik wil een medewerker spreken" en een collega antwoordt.',
    paidToolsPaused: 'Bedrijfsopzoekingen zijn voor vandaag gepauzeerd.',
    codeAccepted: 'Dank je, je e-mailadres is geverifieerd.',
    codeWrong: 'Die code klopt niet. Je kunt het nog {attemptsLeft} keer proberen.',
    codeWrongLastTry: 'Die code klopt niet. Je kunt het nog één keer proberen.',
    codeExpired: 'Die code is verlopen of hier niet aangevraagd. Vraag me een nieuwe te sturen.',
    codeLocked: 'Te veel verkeerde codes. Vraag me een nieuwe te sturen.',
    staffPrompt:
      'Deze assistent is voor onze medewerkers. Typ je zakelijke e-mailadres, dan stuur ik je een code van 6 cijfers.',
    staffCodeSent: 'Als dat een medewerkersadres is, is er een code van 6 cijfers naar onderweg. Typ de code hier.',
    staffVerified: 'Geverifieerd. Je kunt nu contacten zoeken, aanmaken en bijwerken.',
    staffUnavailable:
      'Deze assistent is voor onze medewerkers en verificatie is nu niet beschikbaar. Schrijf "ik wil een medewerker spreken" en een collega helpt je.',
    codesRateLimited: 'Er zijn te veel codes aangevraagd. Probeer het later opnieuw.',
    handoffClosed:
      'Bedankt! Ik heb dit gesprek aan een collega doorgegeven. Ons team is nu niet bereikbaar: een collega antwoordt hier {when}.',
    stayClosed:
      'Ons team is nu niet bereikbaar en is er weer {when}. Ik kan een bericht aannemen: schrijf wat je nodig hebt en hoe we je kunnen bereiken, dan neemt een collega contact op. Intussen help ik je hier graag verder.',
    closedNote: 'Ons team is nu niet bereikbaar: een collega antwoordt hier {when}.',
    feedbackHelped: 'Dat hielp',
    feedbackMoreHelp: 'Ik heb meer hulp nodig',
    feedbackThanks: 'Fijn dat ik je kon helpen! Schrijf hier gerust als je nog iets nodig hebt.',
  },
};

export const TEXT_KEYS = Object.keys(FIXED_TEXTS.en) as TextKey[];

/** A profile's texts in one language: its overrides for that language over the catalogue. */
export function textsFor(profile: { texts?: TextOverrides }, language: Language): FixedTexts {
  return { ...FIXED_TEXTS[language], ...profile.texts?.[language] };
}

/** Fills `{name}` placeholders; an unknown name stays as written. */
export function fillText(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The wrong-code text for the tries left (one form for the last try, one for more). */
export function codeWrongText(texts: FixedTexts, attemptsLeft: number): string {
  return fillText(attemptsLeft === 1 ? texts.codeWrongLastTry : texts.codeWrong, { attemptsLeft });
}
