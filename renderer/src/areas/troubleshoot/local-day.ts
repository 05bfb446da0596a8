// Calendar days for the troubleshooter's date inputs.

/** A local calendar day `YYYY-MM-DD` (for the date inputs). */
export function localDay(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
