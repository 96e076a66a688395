import manifest from '../package.json' with { type: 'json' };

/** The CLI's version, from its package.json (the bundle inlines it). */
export const CLI_VERSION: string = manifest.version;
