// The stop words and stemmer data of every shipped language but English and Japanese (built into locale-words.ts):
// Spanish, French, German, Portuguese, Italian, Dutch (suffixes: inflection and a few derivations), Arabic (the
// article and one-letter conjunction/preposition prefixes: وال, بال, ال…) and Hebrew (ה/ו). Data only; one
// export per language so a bundle can take one (the widget's faq-words-<lang>.js).
import type { LocaleWords } from './locale-words.js';
import type { FaqLocale } from './stem.js';

export const es: LocaleWords = { stop: 'el la los las un una unos unas de del al y o a en con por para mi mis tu tus su sus me te se lo le les es son fue ser estar esta este esto eso que', suffixes: 'amientos imientos amiento imiento aciones ciones mente acion cion ando iendo ados idos adas idas ado ido ada ida es os as ar er ir s o a e' };
export const fr: LocaleWords = { stop: 'le la les un une des de du d l au aux et ou a en dans par pour sur avec mon ma mes ton ta tes son sa ses je j me m tu te il elle nous vous ils est sont etre ce cet cette qu que', suffixes: 'issements issement ements ement ations ation ments ment euses euse ees ee es er ez e s x' };
export const de: LocaleWords = { stop: 'der die das den dem des ein eine einen einem einer und oder zu im in an am auf fur mit von vom bei ich mich mir mein meine meinen du dein es ist sind war sein', suffixes: 'ungen heiten keiten heit keit ung en er es em e n s' };
export const pt: LocaleWords = { stop: 'o a os as um uma de do da dos das e ou em no na nos nas por para com meu minha meus minhas eu me se e foi ser estar que', suffixes: 'amentos imentos amento imento acoes coes mente acao cao ando endo ados idos adas idas ado ido ada ida oes es os as ar er ir s o a e' };
export const it: LocaleWords = { stop: 'il lo la i gli le un una uno di del della dei delle e o a in con per su da mio mia miei mie io mi ti si e sono essere che', suffixes: 'amenti imenti amento imento azioni azione zioni zione mente ando endo ati iti ate ite ato ito ata ita are ere ire i o a e' };
export const nl: LocaleWords = { stop: 'de het een en of te in op aan voor met van bij ik mij me mijn je jij jouw is zijn was dat die dit', suffixes: 'heden heid ingen ing en e s' };
export const ar: LocaleWords = { stop: 'في من على الى إلى عن و ما هل', prefix: /^(?:[وفبكل]?ال|[وف])/, prefixMin: 5 };
export const he: LocaleWords = { stop: 'של את על עם זה זו גם', prefix: /^[הו]/, prefixMin: 4 };

export const OTHER_LOCALE_WORDS: Partial<Record<FaqLocale, LocaleWords>> = { es, fr, de, pt, it, nl, ar, he };
