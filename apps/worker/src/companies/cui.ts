const WEIGHTS = [7, 5, 3, 2, 1, 7, 5, 3, 2];

/**
 * Normalises a Romanian CUI (fiscal code) and validates its control digit, so a typo never
 * costs ListaFirme credits. Returns the bare digits, or undefined when invalid.
 */
export function normalizeCui(input: string): string | undefined {
  const cui = input.trim().toUpperCase().replace(/^RO/, '').replace(/\s+/g, '');
  if (!/^\d{2,10}$/.test(cui)) return undefined;
  const body = cui.slice(0, -1).padStart(9, '0');
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i], 0);
  const control = ((sum * 10) % 11) % 10;
  return control === Number(cui.at(-1)) ? cui : undefined;
}
