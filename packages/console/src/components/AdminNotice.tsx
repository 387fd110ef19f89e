// Announces the outcome of admin actions ("Agent Dora created.", "Not saved: …") in a polite live region.
import { useAdmin } from '../admin/use-admin.js';

export function AdminNotice() {
  const notice = useAdmin((s) => s.notice);
  return (
    <div class="visually-hidden" role="status" aria-live="polite">
      {notice ?? ''}
    </div>
  );
}
