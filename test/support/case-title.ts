/**
 * A table row's value as it appears in a test's title: JSON, cut after 100 characters. Stryker names
 * each test by its full title in every mutant's coverage, so a 57 kB expression in a title made the
 * mutation report too large to write (V8's string limit).
 */
export function caseTitle(value: string): string {
  const json = JSON.stringify(value);
  return json.length <= 100 ? json : `${json.slice(0, 100)}… (${value.length} characters)`;
}
