// CSV import (a file picker, the mode, Check only or Import, then the per-row report) and export.
import { useState, type FormEvent } from 'react';
import { useStrings } from '../i18n';
import type { CustomersApi, ImportReport } from './customers-api';
import { errorText } from './format';
import { CUSTOMERS_STRINGS, type CustomersStringKey } from './strings';

function summary(r: ImportReport, s: (key: CustomersStringKey, vars?: Record<string, string>) => string): string {
  const vars = { rows: String(r.rows), imported: String(r.imported), rejected: String(r.rejected) };
  if (r.dryRun) return s('reportChecked', vars);
  if (r.rejected === 0) return s('reportOk', vars);
  return r.imported === 0 ? s('reportNothing', vars) : s('reportPartial', vars);
}

export function CsvSection({ calls }: { calls: CustomersApi }) {
  const s = useStrings(CUSTOMERS_STRINGS);
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportReport['mode']>('all-or-nothing');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      setReport(await calls.importCsv(file, mode, dryRun));
    } catch (err) {
      setReport(null);
      setError(s('failed', { error: errorText(err) }));
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run(false);
  };
  const download = async () => {
    setError(null);
    try {
      const { blob, filename } = await calls.exportCsv();
      const url = URL.createObjectURL(blob);
      const a = Object.assign(document.createElement('a'), { href: url, download: filename });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(s('failed', { error: errorText(err) }));
    }
  };

  return (
    <div className="customers-section csv-grid">
      <section className="csv-card" aria-labelledby="import-title">
        <h2 id="import-title">{s('importTitle')}</h2>
        <p className="muted">{s('importHelp')}</p>
        <form onSubmit={onSubmit} className="csv-form">
          <label>
            {s('chooseFile')}
            <input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </label>
          <fieldset>
            <legend>{s('modeLabel')}</legend>
            <label>
              <input type="radio" name="mode" checked={mode === 'all-or-nothing'} onChange={() => setMode('all-or-nothing')} />
              {s('mode_all')}
            </label>
            <label>
              <input type="radio" name="mode" checked={mode === 'valid-only'} onChange={() => setMode('valid-only')} />
              {s('mode_valid')}
            </label>
          </fieldset>
          <div className="csv-actions">
            <button type="button" className="btn" disabled={!file || busy} onClick={() => void run(true)}>
              {s('check')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={!file || busy}>
              {busy ? s('importing') : s('import')}
            </button>
          </div>
        </form>
        {error && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}
        {report && (
          <div className="csv-report" role="status">
            <p className={`banner${report.rejected ? ' banner-warn' : ''}`}>{summary(report, s)}</p>
            {report.errors.length > 0 && (
              <table className="csv-errors">
                <thead>
                  <tr>
                    <th scope="col">{s('row')}</th>
                    <th scope="col">{s('column')}</th>
                    <th scope="col">{s('problem')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.errors.map((e, i) => (
                    <tr key={i} data-row={e.row}>
                      <td>{e.row}</td>
                      <td>{e.column ?? '—'}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        )}
      </section>
      <section className="csv-card" aria-labelledby="export-title">
        <h2 id="export-title">{s('exportTitle')}</h2>
        <p className="muted">{s('exportHelp')}</p>
        <button type="button" className="btn btn-primary" onClick={() => void download()}>
          {s('download')}
        </button>
      </section>
    </div>
  );
}
