import { CONTACTS_INSTRUCTIONS } from '../assistant/instructions/contacts.instructions';
import { SUPPORT_INSTRUCTIONS } from '../assistant/instructions/support.instructions';
import type { AssistantProfile } from './assistant-profile';

// Extra phrases that hand off without the model, as whole words (threads/handoff-intent.ts
// recognises requests for a person in en/ro/nl on its own; a bare word like "operator" or
// "human" is not a request: "operatorul economic", "human resources").
const HANDOFF_PHRASES = ['talk to someone', 'om real', 'operator uman', 'vreau sa vorbesc cu cineva'];

/** Seed 1, "OpenAI Assistant for HubSpot Chat": visitors, company lookups, lead capture. */
export const SUPPORT_PROFILE: AssistantProfile = {
  name: 'support',
  instructions: SUPPORT_INSTRUCTIONS,
  tools: [
    'search_companies',
    'get_company',
    'search_contacts',
    'create_contact',
    'update_contact',
    'qualify_lead',
    'save_company',
    'send_verification_code',
    'verify_code',
    'hand_off_to_human',
    'search_knowledge',
  ],
  scope: 'visitor',
  staffOnly: false,
  welcome: {
    en: {
      text: 'Hi! I can look up Romanian companies (by name or CUI) and answer questions. Write your question, or ask for a colleague at any time.',
      quickReplies: [],
    },
    ro: {
      text: 'Bună! Pot căuta firme din România (după nume sau CUI) și pot răspunde la întrebări. Scrie-ți întrebarea sau cere oricând un coleg.',
      quickReplies: [],
    },
    nl: {
      text: 'Hallo! Ik kan Roemeense bedrijven opzoeken (op naam of CUI) en vragen beantwoorden. Stel je vraag, of vraag op elk moment naar een collega.',
      quickReplies: [],
    },
  },
  handoffPhrases: HANDOFF_PHRASES,
  compactThreshold: 12_000,
  // Enough for a lookup conversation with its tool results; well inside any small local model's context.
  history: { messages: 30, tokens: 6000 },
};

/** Seed 2, "HubSpot contact assistant": staff keep contacts clean by chat. */
export const CONTACTS_PROFILE: AssistantProfile = {
  name: 'contacts',
  instructions: CONTACTS_INSTRUCTIONS,
  tools: [
    'search_contacts',
    'create_contact',
    'update_contact',
    'search_companies',
    'get_company',
    'save_company',
    'search_companies_crm',
    'hand_off_to_human',
  ],
  scope: 'staff',
  staffOnly: true,
  welcome: {
    en: {
      text: 'Hi! I can search, create or update HubSpot contacts. Choose: Search contact, Create new contact or Update contact.',
      quickReplies: [
        {
          label: 'Search contact',
          value: 'search_contact',
          valueType: 'TEXT',
          confirmation:
            'Searching a contact. Who are you looking for? An e-mail, a name, a phone number or a company works.',
        },
        {
          label: 'Create new contact',
          value: 'create_contact',
          valueType: 'TEXT',
          confirmation: "Creating a new contact. What is the contact's e-mail address?",
        },
        {
          label: 'Update contact',
          value: 'update_contact',
          valueType: 'TEXT',
          confirmation: 'Updating a contact. Which contact (e-mail or contact id), and what should change?',
        },
      ],
    },
    ro: {
      text: 'Bună! Pot căuta, crea sau actualiza contacte HubSpot. Alege: Caută contact, Creează contact nou sau Actualizează contact.',
      quickReplies: [
        {
          label: 'Caută contact',
          value: 'search_contact',
          valueType: 'TEXT',
          confirmation: 'Căutăm un contact. Pe cine cauți? Merge un e-mail, un nume, un număr de telefon sau o firmă.',
        },
        {
          label: 'Creează contact nou',
          value: 'create_contact',
          valueType: 'TEXT',
          confirmation: 'Creăm un contact nou. Care este adresa de e-mail a contactului?',
        },
        {
          label: 'Actualizează contact',
          value: 'update_contact',
          valueType: 'TEXT',
          confirmation: 'Actualizăm un contact. Care contact (e-mail sau ID de contact) și ce trebuie schimbat?',
        },
      ],
    },
    nl: {
      text: 'Hallo! Ik kan HubSpot-contacten zoeken, aanmaken of bijwerken. Kies: Contact zoeken, Nieuw contact aanmaken of Contact bijwerken.',
      quickReplies: [
        {
          label: 'Contact zoeken',
          value: 'search_contact',
          valueType: 'TEXT',
          confirmation:
            'We zoeken een contact. Wie zoek je? Een e-mailadres, een naam, een telefoonnummer of een bedrijf werkt.',
        },
        {
          label: 'Nieuw contact aanmaken',
          value: 'create_contact',
          valueType: 'TEXT',
          confirmation: 'We maken een nieuw contact aan. Wat is het e-mailadres van het contact?',
        },
        {
          label: 'Contact bijwerken',
          value: 'update_contact',
          valueType: 'TEXT',
          confirmation:
            'We werken een contact bij. Welk contact (e-mailadres of contact-ID) en wat moet er veranderen?',
        },
      ],
    },
  },
  handoffPhrases: HANDOFF_PHRASES,
  // The seed kept the last 5 messages / 800 tokens; 1000 is the smallest compaction threshold.
  compactThreshold: 1000,
  history: { messages: 5, tokens: 800 },
};

export const DEFAULT_PROFILES: AssistantProfile[] = [SUPPORT_PROFILE, CONTACTS_PROFILE];
