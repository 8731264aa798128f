// The CLI package's public surface, for tests, bench and tools that import files programmatically.
export { type ApiClient, type ClientOptions, createClient } from './client.ts';
export { parseCsvRecord } from './csv.ts';
export { CliError, EXIT } from './errors.ts';
export { detectFormat, FORMAT_NAMES, FORMATS, type FormatName, type Mapped } from './formats/index.ts';
export { type ImportCommandIo, importCommand } from './import-command.ts';
export { DEFAULT_BATCH_EVENTS, type ImportOptions, type ImportResult, runImport } from './importer.ts';
export { type FileRecord, readRecords } from './records.ts';
