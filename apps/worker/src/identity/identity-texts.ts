import type { Language } from '../profiles/language';

// The languages live with the profiles (a lower layer); re-exported for the identity texts' users.
export { LANGUAGES, asLanguage, type Language } from '../profiles/language';

export interface IdentityTexts {
  mailSubject: string;
  mailBody(code: string, minutes: number): string;
  codeAccepted: string;
  codeWrong(attemptsLeft: number): string;
  codeExpired: string;
  codeLocked: string;
  staffPrompt: string;
  staffCodeSent: string;
  staffVerified: string;
  staffUnavailable: string;
  codesRateLimited: string;
  visitorLimit: string;
  paidToolsPaused: string;
  /** The visitor sent only a picture or a file: what the assistant can do with it. */
  attachmentOnly: string;
  dailyLimit: string;
}

/** What the visitor reads (and the verification mail) in each language. */
export const IDENTITY_TEXTS: Record<Language, IdentityTexts> = {
  en: {
    mailSubject: 'Your verification code',
    mailBody: (code, minutes) =>
      `Your verification code is ${code}\n\nType it in the chat to confirm that this e-mail address is yours. ` +
      `It is valid for ${minutes} minutes.\n\nIf you did not ask for a code, you can ignore this e-mail.`,
    codeAccepted: 'Thank you, your e-mail address is verified.',
    codeWrong: (left) => `That code is not right. You can try ${left} more ${left === 1 ? 'time' : 'times'}.`,
    codeExpired: 'That code has expired or was not requested here. Ask me to send a new one.',
    codeLocked: 'Too many wrong codes. Ask me to send a new one.',
    staffPrompt:
      'This assistant is for our staff. To continue, type your work e-mail address and I will send you a 6-digit code.',
    staffCodeSent: 'If that is a staff address, a 6-digit code is on its way to it. Type the code here.',
    staffVerified: 'Verified. You can now search, create and update contacts.',
    staffUnavailable:
      'This assistant is for our staff, and staff verification is not available right now. Write "I want to talk to a person" and a colleague will help you.',
    codesRateLimited: 'Too many codes were requested. Please try again later.',
    visitorLimit:
      'You have sent many messages in a short time, so I am pausing for a while. Write "I want to talk to a person" if you need help now.',
    paidToolsPaused: 'Company lookups are paused for today.',
    attachmentOnly:
      "Thanks! I can't open pictures or files in this chat. Could you type what you need, for example the company's name or CUI?",
    dailyLimit:
      'I cannot answer more questions today. If you need help now, write "I want to talk to a person" and a colleague will reply.',
  },
  ro: {
    mailSubject: 'Codul tău de verificare',
    mailBody: (code, minutes) =>
      `Codul tău de verificare este ${code}\n\nScrie-l în chat pentru a confirma că această adresă de e-mail îți aparține. ` +
      `Este valabil ${minutes} minute.\n\nDacă nu ai cerut un cod, poți ignora acest e-mail.`,
    codeAccepted: 'Mulțumesc, adresa ta de e-mail este verificată.',
    codeWrong: (left) => `Codul nu este corect. Mai poți încerca de ${left} ${left === 1 ? 'dată' : 'ori'}.`,
    codeExpired: 'Codul a expirat sau nu a fost cerut aici. Cere-mi să trimit unul nou.',
    codeLocked: 'Prea multe coduri greșite. Cere-mi să trimit unul nou.',
    staffPrompt:
      'Acest asistent este pentru colegii noștri. Pentru a continua, scrie adresa ta de e-mail de serviciu și îți trimit un cod de 6 cifre.',
    staffCodeSent: 'Dacă aceasta este o adresă de angajat, un cod de 6 cifre este pe drum. Scrie codul aici.',
    staffVerified: 'Verificat. Acum poți căuta, crea și actualiza contacte.',
    staffUnavailable:
      'Acest asistent este pentru colegii noștri, iar verificarea nu este disponibilă acum. Scrie „vreau să vorbesc cu un om” și te ajută un coleg.',
    codesRateLimited: 'Au fost cerute prea multe coduri. Te rog încearcă mai târziu.',
    visitorLimit:
      'Ai trimis multe mesaje într-un timp scurt, așa că fac o pauză. Scrie „vreau să vorbesc cu un om” dacă ai nevoie de ajutor acum.',
    paidToolsPaused: 'Căutările de firme sunt oprite pentru astăzi.',
    attachmentOnly:
      'Mulțumesc! Nu pot deschide imagini sau fișiere în acest chat. Puteți scrie ce vă trebuie, de exemplu numele firmei sau CUI-ul?',
    dailyLimit:
      'Nu mai pot răspunde la întrebări astăzi. Dacă ai nevoie de ajutor acum, scrie „vreau să vorbesc cu un om” și îți răspunde un coleg.',
  },
  nl: {
    mailSubject: 'Je verificatiecode',
    mailBody: (code, minutes) =>
      `Je verificatiecode is ${code}\n\nTyp de code in de chat om te bevestigen dat dit e-mailadres van jou is. ` +
      `De code is ${minutes} minuten geldig.\n\nHeb je geen code aangevraagd, dan kun je deze e-mail negeren.`,
    codeAccepted: 'Dank je, je e-mailadres is geverifieerd.',
    codeWrong: (left) => `Die code klopt niet. Je kunt het nog ${left} keer proberen.`,
    codeExpired: 'Die code is verlopen of hier niet aangevraagd. Vraag me een nieuwe te sturen.',
    codeLocked: 'Te veel verkeerde codes. Vraag me een nieuwe te sturen.',
    staffPrompt:
      'Deze assistent is voor onze medewerkers. Typ je zakelijke e-mailadres, dan stuur ik je een code van 6 cijfers.',
    staffCodeSent: 'Als dat een medewerkersadres is, is er een code van 6 cijfers naar onderweg. Typ de code hier.',
    staffVerified: 'Geverifieerd. Je kunt nu contacten zoeken, aanmaken en bijwerken.',
    staffUnavailable:
      'Deze assistent is voor onze medewerkers en verificatie is nu niet beschikbaar. Schrijf "ik wil een medewerker spreken" en een collega helpt je.',
    codesRateLimited: 'Er zijn te veel codes aangevraagd. Probeer het later opnieuw.',
    visitorLimit:
      'Je hebt in korte tijd veel berichten gestuurd, dus ik pauzeer even. Schrijf "ik wil een medewerker spreken" als je nu hulp nodig hebt.',
    paidToolsPaused: 'Bedrijfsopzoekingen zijn voor vandaag gepauzeerd.',
    attachmentOnly:
      'Bedankt! Ik kan in deze chat geen afbeeldingen of bestanden openen. Kunt u typen wat u nodig hebt, bijvoorbeeld de naam van het bedrijf?',
    dailyLimit:
      'Ik kan vandaag geen vragen meer beantwoorden. Heb je nu hulp nodig, schrijf dan "ik wil een medewerker spreken" en een collega antwoordt.',
  },
};
