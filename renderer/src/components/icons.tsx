import type { AreaId } from '../areas/areas.js';

const paths: Record<AreaId, string> = {
  scanDesk: 'M4 15h16v5H4zM6 4h12v9H6zM8 17h2',
  templateCheck: 'M6 3h9l4 4v14H6zM14 3v5h5M9 14l2 2 4-4',
  covers: 'M6 3h12v18H6zM13 5h4v4h-4zM8 13h8M8 16h6',
  connection: 'M4 12a8 8 0 0 1 16 0M7 12a5 5 0 0 1 10 0M12 12v8M9 20h6',
  troubleshoot: 'M10 4a6 6 0 1 0 0 12 6 6 0 0 0 0-12zM14.5 14.5 20 20M10 7v4M10 13v.5',
  settings: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2',
};

/** A line icon for an area (decorative; the label carries the meaning). */
export function AreaIcon({ area }: { area: AreaId }) {
  return (
    <svg className="area-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={paths[area]} />
    </svg>
  );
}
