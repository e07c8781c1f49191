// Mail an email account fetched but could not bring in: unprocessable mail (its raw copy is kept, so
// an admin can run it through again after a fix) and mail over the account's size limit.
import { useEffect, useState } from 'react';
import { useI18n, useStrings } from '../i18n';
import type { AdminApi, EmailImport, EmailImportStatus } from './admin-api';
import { ErrorBanner, Notice, useSubmit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

const WAITING: EmailImportStatus[] = ['unprocessable', 'too_large'];

const sizeOf = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

export function EmailImports({ admin, accountId }: { admin: AdminApi; accountId: string }) {
  const s = useStrings(ADMIN_STRINGS);
  const { time } = useI18n();
  const [imports, setImports] = useState<EmailImport[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [working, setWorking] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const reprocessing = useSubmit();

  useEffect(() => {
    let live = true;
    setLoadError(null);
    admin.emailImports(accountId, WAITING).then(
      (r) => live && setImports(r.imports),
      (err: unknown) => live && setLoadError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [admin, accountId, version]);

  const subjectOf = (i: EmailImport) => i.subject?.trim() || s('noSubject');
  const reprocess = async (entry: EmailImport) => {
    setNotice(null);
    setWorking(entry.id);
    const result = await reprocessing.run(() => admin.reprocessImport(entry.id));
    setWorking(null);
    if (!result) return;
    const after = result.import;
    // Brought in: it leaves the list. Still unprocessable: it stays, with the parser's new error.
    setImports((all) => (all ?? []).flatMap((i) => (i.id !== after.id ? [i] : WAITING.includes(after.status) ? [after] : [])));
    setNotice(s(after.status === 'unprocessable' ? 'stillUnprocessable' : 'reprocessed', { subject: subjectOf(after) }));
  };

  return (
    <div className="email-imports">
      <div className="imports-head">
        <p className="field-hint">{s('emailImportsHint')}</p>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            setNotice(null);
            reprocessing.reset();
            setVersion((v) => v + 1);
          }}
        >
          {s('refresh')}
        </button>
      </div>
      <ErrorBanner error={loadError ?? reprocessing.error} />
      <Notice text={notice} />
      {imports === null ? (
        !loadError && <p className="muted">{s('loading')}</p>
      ) : imports.length === 0 ? (
        <p className="muted">{s('noEmailImports')}</p>
      ) : (
        <ul className="import-list" aria-label={s('emailImports')}>
          {imports.map((i) => (
            <li key={i.id} className={`import-row import-${i.status}`}>
              <div className="import-main">
                <span className="item-title">{subjectOf(i)}</span>
                <span className="item-line muted">
                  {i.fromAddress ?? s('unknownSender')} · {sizeOf(i.size)} · {time(i.createdAt)}
                </span>
                {i.error && <span className="import-error">{i.error}</span>}
              </div>
              <div className="import-actions">
                <span className={`chip ${i.status === 'unprocessable' ? 'chip-danger' : 'chip-warn'}`}>
                  {s(`importStatus_${i.status}`)}
                </span>
                {i.status === 'unprocessable' && (
                  <button type="button" className="btn btn-small" disabled={working !== null} onClick={() => void reprocess(i)}>
                    {working === i.id ? s('reprocessing') : s('reprocess')}
                    <span className="visually-hidden"> {subjectOf(i)}</span>
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
