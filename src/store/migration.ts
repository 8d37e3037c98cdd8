/**
 * One numbered step of the schema. Every adapter has the same versions with the same names and
 * meaning, each in its own SQL dialect; a database records which it has applied.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The adapter's SQL statements, run as one script inside one transaction. */
  readonly up: string;
}
