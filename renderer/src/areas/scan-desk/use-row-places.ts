// The bill list's stable to-do order: the place each row got when first shown, until the clerk sorts again.
import { useEffect, useState } from 'react';
import type { RowPlaces } from './desk-rows.js';

/**
 * Stable to-do order: each row keeps the place it got when first shown, so a bill released or
 * starting to send stays where the clerk's eye and keyboard are; new rows go by their state.
 * Forgotten when the clerk sorts again (`sortAgain`) or leaves the page (a hidden <Activity> runs this cleanup).
 */
export function useRowPlaces() {
  // (A Map kept in state and only ever added to on first sight: rendering twice gives the same order.)
  const [places] = useState<RowPlaces>(() => new Map());
  const [, setSortRound] = useState(0);
  useEffect(() => () => places.clear(), [places]);
  const sortAgain = () => {
    places.clear();
    setSortRound((round) => round + 1);
  };
  return { places, sortAgain };
}
