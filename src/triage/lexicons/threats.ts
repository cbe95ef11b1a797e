import type { CueBase } from './types.ts';

/**
 * Flags (churn, legal or public threat, repeat contact, urgency) and the severity
 * raisers (safety, an event the customer cannot get back).
 */

export const churnCues: readonly CueBase[] = [
  {
    negatable: true,
    phrases: [
      'done with ~2 you|your|this|company|store|shop',
      'im done',
      'i am done',
      'switch|switching|switched|moving|going|go ~1 to ~3 amazon|ebay|walmart|etsy|target|competitor|competitors|competition|another|someone|somewhere',
      'switching|switch ~1 to',
      'take|taking ~2 my ~1 business|custom|money ~1 elsewhere|somewhere',
      'shop|shopping|buy|buying|order|ordering ~1 elsewhere',
      'shop|shopping|buy|buying|order|ordering ~1 somewhere else',
      'cancel|close|closing|delete|deleting ~2 my ~1 account|membership|subscription|profile',
      'never ~3 order|ordering|buy|buying|shop|shopping|use|using ~3 again',
      'never ~3 order|ordering|buy|buying|shop|shopping ~2 from|with|here ~2 again',
      'wont ~1 be ~1 ordering|buying|shopping|using|back|returning',
      'will not ~1 be ~1 ordering|buying|shopping|using|back|returning',
      'not ~2 ordering|buying|shopping ~3 again|anymore',
      'not ~2 ordering|buying|shopping ~3 any more',
      'last time ~1 i ~2 buy|order|shop|use|buying|ordering|shopping',
      'stop ordering|buying|shopping',
      'stop ~2 ordering|buying|shopping ~1 from',
      'lost ~1 a ~1 customer',
      'lost my business',
      'lost ~1 my ~1 custom',
      'never again',
      'goodbye',
      'unsubscribe ~3 everything',
      'closing my account',
      'delete my account',
    ],
  },
  { lang: 'es', phrases: ['nunca mas', 'no vuelvo a ~1 comprar|pedir', 'darme de baja', 'dar de baja ~2 cuenta'] },
];

export const legalCues: readonly CueBase[] = [
  {
    negatable: true,
    phrases: [
      'chargeback|chargebacks',
      'charge back',
      'dispute|disputing|disputed ~3 charge|charges|payment|transaction|bank|card|paypal',
      'my bank ~3 dispute|chargeback|reverse|fraud',
      'contact|contacting|call|calling|report ~2 my ~1 bank',
      'lawyer|lawyers|attorney|attorneys|solicitor|solicitors|legal',
      'sue|suing|sued|lawsuit',
      'small claims',
      'court',
      'regulator|regulators|ombudsman',
      'consumer ~1 protection|rights|authority|agency|council',
      'bbb',
      'better business bureau',
      'trading standards',
      'ftc',
      'cfpb',
      'attorney general',
      'report ~3 you|this|them ~2 to',
      'posting|post|share|sharing|put|putting ~3 this|it ~2 everywhere|online',
      'posting|post|share|sharing|put|putting ~4 on ~1 twitter|facebook|instagram|tiktok|reddit|youtube|x',
      'post|posting ~2 about ~3 this|you|it',
      'leave|leaving|write|writing|left|post|posting ~3 review|reviews',
      'zero|one|1|0 ~1 star|stars',
      'tell|telling|warn|warning ~1 everyone|everybody|others|people|friends|all',
      'journalist|journalists|newspaper|newspapers|reporter|reporters',
      'the press',
      'social media',
      'twitter|facebook|instagram|tiktok|reddit|trustpilot|yelp|youtube',
      'go viral',
      'go|going|make|making ~1 public',
      'publicly',
    ],
  },
  {
    lang: 'es',
    phrases: ['abogado|abogados', 'demanda|demandar', 'denuncia|denunciar', 'redes sociales', 'consumo', 'ocu', 'hoja de reclamaciones'],
  },
];

export const repeatCues: readonly CueBase[] = [
  {
    notAfter: ['never', 'not', 'try', 'ordering', 'order', 'buy', 'buying', 'shop', 'shopping', 'use', 'using', 'nunca'],
    phrases: ['again'],
  },
  {
    phrases: [
      'second|third|fourth|fifth|2nd|3rd|4th|5th|nth ~1 time|times|attempt|email|message|call',
      'second ~2 in ~2 row',
      'in a row',
      'once again',
      'yet again',
      'still ~1 waiting|not|no|nothing|hasnt|havent|hasn|isnt|wasnt|didnt|dont|doesnt|cant|unresolved|broken',
      'already ~2 contacted|emailed|called|asked|reported|written|wrote|sent|complained|spoke|spoken|messaged|told|explained|chatted|returned|tried',
      'i ~1 contacted|emailed|called|wrote|messaged ~2 before|already|twice|times|last',
      'for the second|third|fourth|2nd|3rd ~1 time',
      'multiple|several|many|countless|numerous ~1 times|emails|calls|messages|attempts',
      'two|three|four|five|2|3|4|5 ~1 times|emails|calls|messages|weeks|attempts',
      'asked twice',
      'twice already',
      'how many times',
      'keeps ~1 happening',
      'every time',
      'happened before',
      'same problem|issue|fault',
      'no one ~3 replied|responded|answered',
      'nobody ~3 replied|responded|answered',
      'nobody|anyone ~2 gets|got|get ~1 back',
      'no reply|response',
      'previous ~1 ticket|case|complaint|email|message',
      'my ~1 first ~1 email|message|complaint|call',
      'follow|following ~1 up',
      'ive been waiting',
      'been waiting ~2 for',
    ],
  },
  { lang: 'es', phrases: ['otra vez', 'de nuevo', 'sigo esperando', 'ya ~2 llame|escribi|envie|reclame', 'segunda|tercera vez'] },
];

export type UrgencyType = 'date' | 'time' | 'trip' | 'event';
export interface UrgencyCue extends CueBase {
  type: UrgencyType;
}

const DAYS = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|tomorrow|tonight|noon|morning|evening|christmas|xmas|easter';

/** Occasions that cannot be moved: urgent before, the "missed the wedding" case after. */
const occasions = [
  'wedding|weddings',
  'birthday|birthdays|bday',
  'anniversary',
  'christmas|xmas',
  'funeral',
  'graduation',
  'baby shower',
  'mothers|fathers ~1 day',
  'valentines',
];

export const urgencyCues: readonly UrgencyCue[] = [
  {
    type: 'date',
    phrases: [
      `by|before|until|for|on|this|next ~1 ${DAYS}`,
      'by|before|until|on ~1 the ~1 1st|2nd|3rd|4th|5th|6th|7th|8th|9th|10th|11th|12th|13th|14th|15th|16th|17th|18th|19th|20th|21st|22nd|23rd|24th|25th|26th|27th|28th|29th|30th|31st',
      'by|before|until ~1 the ~1 end ~1 of',
      'next ~1 week',
      'this ~1 week',
    ],
  },
  {
    type: 'time',
    notAfter: [
      'arrived',
      'received',
      'got',
      'came',
      'delivered',
      'opened',
      'checked',
      'called',
      'emailed',
      'recieved',
      'ordered',
      'placed',
    ],
    phrases: ['today', 'tonight', 'tomorrow'],
  },
  {
    type: 'time',
    phrases: [
      'asap',
      'as soon as possible',
      'urgent',
      'urgently',
      'immediately',
      'right away',
      'right now',
      'in time',
      'time sensitive',
      'deadline',
      'hoy',
      'manana',
      'urgente',
    ],
  },
  {
    type: 'trip',
    phrases: [
      'flight|flights|flying|fly',
      'vacation',
      'holiday|holidays',
      'leaving ~1 on|for|tomorrow|today|next|this|in',
      'going away',
      'trip',
      'travel|travelling|traveling',
      'moving house|out',
      'viaje|vuelo',
    ],
  },
  {
    type: 'event',
    phrases: [...occasions, 'boda|cumpleanos|funeral|navidad|fiesta'],
  },
  { type: 'event', notAfter: ['third', '3rd'], notBefore: ['of'], phrases: ['party', 'event'] },
];

export const safetyCues: readonly CueBase[] = [
  {
    negatable: true,
    phrases: [
      'fire',
      'caught ~1 fire',
      'on fire',
      'flames',
      'burn|burns|burned|burnt|burning',
      'scald|scalded|scalding',
      'injur*',
      'hurt|hurts',
      'hospital',
      'emergency room',
      'bleeding|bled',
      'cut ~2 my|his|her ~1 hand|finger|fingers|foot|leg|face',
      'allergic|allergy|anaphyla*',
      'epipen',
      'choking|choked|choke',
      'electric ~1 shock',
      'electrocut*',
      'gave|giving|gives ~1 me|him|her|my|us ~2 shock|shocks',
      'sparks|sparking|sparked',
      'smoke|smoking|smoked',
      'exploded|explode|explosion',
      'poison*',
      'toxic',
      'swallowed',
      'rash',
      'unsafe',
      'dangerous',
      'safety ~1 hazard|issue|risk|concern',
      'quemadura|quemado|incendio|herido|alergia',
    ],
  },
];

/** Words that, near an event word, mean the event is lost: "missed the wedding", "the birthday present is ruined". */
export const eventLossCues: readonly CueBase[] = [
  {
    negatable: true,
    phrases: [
      'missed',
      'miss',
      'ruined',
      'ruin',
      'spoiled|spoilt',
      'too late',
      'useless',
      'pointless',
      'no use',
      'came ~1 after',
      'arrived|delivered ~2 after',
      'is|was ~1 over',
      'was ~1 yesterday|last|on',
      'has ~1 passed|gone',
      'without ~2 the|my|our|a',
      'nothing to',
      'empty handed',
    ],
  },
];

/**
 * Event words that count for the "event lost" rule: the occasions, plus "party" and "event", which say an
 * occasion was missed ("arrived after the party") but are too common alone to mean time pressure.
 */
export const eventWords: readonly CueBase[] = [{ phrases: [...occasions, 'party', 'event', 'boda|cumpleanos|funeral|navidad'] }];
