// Who the visitor is and where they are: identity (verified by the site's backend or not), locale, current page,
// pages visited.
import type { VisitorProfile } from '@parley/protocol';
import { formatTime } from '../format.js';

export interface VisitorInfoProps {
  visitor: VisitorProfile;
  pages?: ReadonlyArray<{ url: string; title?: string; at: number }>;
}

export function VisitorInfo({ visitor, pages = [] }: VisitorInfoProps) {
  return (
    <dl class="visitor-info">
      <dt>Name</dt>
      <dd>
        {visitor.name ?? 'Not given'}{' '}
        {visitor.verifiedUserId === undefined ? (
          <span class="badge badge-unverified">unverified</span>
        ) : (
          <span class="badge badge-verified">verified</span>
        )}
      </dd>
      {visitor.verifiedUserId !== undefined && (
        <>
          <dt>User id</dt>
          <dd>{visitor.verifiedUserId}</dd>
        </>
      )}
      <dt>E-mail</dt>
      <dd>{visitor.email ?? 'Not given'}</dd>
      <dt>Language</dt>
      <dd>{visitor.locale ?? 'Unknown'}</dd>
      <dt>Current page</dt>
      <dd class="url">{visitor.page ?? 'Unknown'}</dd>
      {pages.length > 0 && (
        <>
          <dt>Pages visited</dt>
          <dd>
            <ol class="pages">
              {pages.map((p, i) => (
                <li key={i}>
                  <span class="url">{p.title === undefined ? p.url : `${p.title} (${p.url})`}</span>{' '}
                  <time dateTime={new Date(p.at).toISOString()}>{formatTime(p.at)}</time>
                </li>
              ))}
            </ol>
          </dd>
        </>
      )}
    </dl>
  );
}
