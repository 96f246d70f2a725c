/**
 * Where the CLI writes; injectable so tests read what a user would see. Its own module so
 * `main.ts` and the commands both import it without importing each other.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};
