// The shape every language catalogue must have, taken from the zh-CN catalogue.
import type { zhCN } from './zh-cn.js';

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };

/** The shape every language catalogue must have: the zh-CN keys, any strings. */
export type Catalog = Widen<typeof zhCN>;
