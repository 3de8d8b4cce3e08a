/**
 * zod for the Lambda bundle: `zod/mini`, whose functions the bundler leaves out when unused (the
 * full `zod` put 455 KB into index.mjs, 40 % of the code compiled at each cold start), set to
 * zod's English messages for the issues csv2ddb does not word itself. Import it as a namespace
 * (`import * as z`) and only read its members: a re-exported namespace object would pull in all of zod.
 * The local tools (src/local) keep the full `zod`: they are not in the bundle.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
