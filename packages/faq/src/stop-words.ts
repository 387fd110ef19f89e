// Small per-locale stop-word lists. Negations and question words are deliberately kept out: "not working" and
// "why was I charged" carry meaning a FAQ has to match on.
import type { FaqLocale } from './stem.js';

const LISTS: Record<FaqLocale, string> = {
  en: 'a an the i me my we our you your it its is am are was were be been do does did have has had to of in on at for with by from as and or but so if this that these there can could would should will may might must please im ive just also about into than then them they he she him her hi hello thanks thank any some',
  es: 'el la los las un una unos unas de del al y o a en con por para mi mis tu tus su sus me te se lo le les es son fue ser estar esta este esto eso que',
  fr: 'le la les un une des de du d l au aux et ou a en dans par pour sur avec mon ma mes ton ta tes son sa ses je j me m tu te il elle nous vous ils est sont etre ce cet cette qu que',
  de: 'der die das den dem des ein eine einen einem einer und oder zu im in an am auf fur mit von vom bei ich mich mir mein meine meinen du dein es ist sind war sein',
  pt: 'o a os as um uma de do da dos das e ou em no na nos nas por para com meu minha meus minhas eu me se e foi ser estar que',
  it: 'il lo la i gli le un una uno di del della dei delle e o a in con per su da mio mia miei mie io mi ti si e sono essere che',
  nl: 'de het een en of te in op aan voor met van bij ik mij me mijn je jij jouw is zijn was dat die dit',
  ja: '',
  ar: 'في من على الى إلى عن و ما هل',
  he: 'של את על עם זה זו גם',
};

const cache = new Map<FaqLocale, Set<string>>();

/** The stop words of `locale` (normalised, diacritic-free). */
export function stopWords(locale: FaqLocale): Set<string> {
  let set = cache.get(locale);
  if (!set) cache.set(locale, (set = new Set(LISTS[locale].split(' ').filter(Boolean))));
  return set;
}
