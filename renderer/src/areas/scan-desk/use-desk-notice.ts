// The scan desk's notice line: what the last action did, said in the language shown when it is read.
import { useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { focusWhenPainted } from '../../components/focus.js';

/** Words said on the desk, made in the language shown when they are read. */
export type Say = (t: TFunction) => string;
/** The notice's colour: done, worth a look, failed. */
export type NoticeTone = 'pass' | 'warn' | 'fail';
/** What the notice line says, and in what colour. */
export interface DeskNotice {
  tone: NoticeTone;
  text: Say;
}
/** Says a notice and moves the focus to it. */
export type Tell = (tone: NoticeTone, text: Say) => void;

/** Holds the desk's notice: `setNotice` says it where it is, `tell` also brings the focus there (results appear where the eye is). */
export function useDeskNotice() {
  // Kept as words to say, not the words said: a notice made in Chinese reads in English after the switch.
  const [notice, setNotice] = useState<DeskNotice | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const tell: Tell = (tone, text) => {
    setNotice({ tone, text });
    focusWhenPainted(() => noticeRef.current);
  };
  return { notice, setNotice, noticeRef, tell };
}
