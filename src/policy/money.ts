/**
 * Policy files write money as decimals in the policy's currency ("25.00");
 * everything past the parser uses integer minor units.
 */

/** Digits after the decimal point for a currency (USD 2, JPY 0, KWD 3). */
export function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
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
  return `${sign}${major.toLocaleString('en')}${minor} ${currency}`;
}
