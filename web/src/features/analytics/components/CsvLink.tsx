import { Button } from '@mantine/core';

/** "Download CSV" for one table: the endpoint's `format=csv`, fetched with the session cookie as a file. */
export function CsvLink({ href, what }: { href: string; what: string }) {
  return (
    <Button component="a" href={href} download variant="light" size="compact-xs" aria-label={`Download CSV: ${what}`}>
      Download CSV
    </Button>
  );
}

/** "Download CSV" for a table the browser already has (made here, not by the server). */
export function CsvBlobButton({ csv, filename, what }: { csv: () => string; filename: string; what: string }) {
  const save = () => {
    const url = URL.createObjectURL(new Blob([csv()], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Button onClick={save} variant="light" size="compact-xs" aria-label={`Download CSV: ${what}`}>
      Download CSV
    </Button>
  );
}
