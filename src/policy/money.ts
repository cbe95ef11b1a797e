/**
 * Policy files write money as decimals in the policy's currency ("25.00");
 * everything past the parser uses integer minor units.
 */

// Building an Intl.NumberFormat costs ~20 µs; decisions format money in every reason, so look each currency up once.
const digitsByCurrency = new Map<string, number>();

/** Digits after the decimal point for a currency (USD 2, JPY 0, KWD 3). */
export function fractionDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** 1234567 → "1,234,567", without Intl (which is slow to call per decision). */
function grouped(n: number): string {
  const s = String(n);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return out;
}

/** A decimal amount in major units → integer minor units, or an error message when it has too many decimals. */
export function toMinorUnits(value: number | string, currency: string): number | string {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return `"${text}" is not an amount (write e.g. 25 or 25.00)`;
  const digits = fractionDigits(currency);
  const [whole, frac = ''] = text.split('.');
  const trimmed = frac.replace(/0+$/, '');
  if (trimmed.length > digits) return `${currency} has ${digits} decimal place${digits === 1 ? '' : 's'}; "${text}" has more`;
  const minor = Number(whole) * 10 ** digits + Number(trimmed.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor)) return `"${text}" is too large`;
  return minor;
}

/** Minor units → "25.00 USD", for reasons and reports. */
export function formatMoney(amount: number, currency: string): string {
  const digits = fractionDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const major = Math.floor(abs / 10 ** digits);
  const minor = digits > 0 ? `.${String(abs % 10 ** digits).padStart(digits, '0')}` : '';
  return `${sign}${grouped(major)}${minor} ${currency}`;
}
