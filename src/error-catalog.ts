/**
 * Every `NXF_…` code the core reports, with the HTTP status it answers with when no other is given and what it
 * means. `new NxfError(code, …)` accepts only these codes; docs/errors.md lists them all, and
 * test/errors.test.ts keeps the three in step. Codes marked "(run)" or "(result)" end a job run or a delivery
 * rather than a request: their status applies only if one reaches a response. An entry marked `forModules` is a
 * generic condition the core offers modules for `ctx.fail` without raising it itself.
 */
export const errorCatalog = {
  // Requests
  NXF_BAD_REQUEST: {
    status: 400,
    meaning: 'the request could not be read (malformed JSON, a bad form body, a body not in its Content-Encoding)',
  },
  NXF_TOO_LARGE: { status: 413, meaning: 'the request body is over its limit (JSON 1 MB, forms 256 KB)' },
  NXF_NOT_FOUND: { status: 404, meaning: 'nothing at this address, or no such record' },
  NXF_METHOD_NOT_ALLOWED: { status: 405, meaning: 'the address exists but does not accept this method' },
  NXF_NOT_IMPLEMENTED: { status: 501, meaning: 'the method is not one the server supports' },
  NXF_INTERNAL: { status: 500, meaning: 'an unexpected failure on the server; it is logged with the request id' },
  NXF_VALIDATION: { status: 400, meaning: 'a value is not valid; `details` names each field and what is wrong' },
  NXF_DATABASE_DOWN: {
    status: 503,
    meaning: 'the database does not answer (down, restarting): /healthz, and every request that needs it',
  },
  NXF_CONFIG_INVALID: { status: 500, meaning: 'the environment holds invalid settings; the message lists them' },
  NXF_USAGE: { status: 400, meaning: 'the nxforge command was called with missing or wrong arguments' },
  NXF_CONFLICT: {
    status: 409,
    meaning: 'the request conflicts with what is stored (a duplicate, a stale edit)',
    forModules: true,
  },
  // Signing in, permissions
  NXF_UNAUTHENTICATED: { status: 401, meaning: 'not signed in and no API token sent' },
  NXF_TOKEN_INVALID: { status: 401, meaning: 'the API token is unknown or revoked' },
  NXF_FORBIDDEN: {
    status: 403,
    meaning: 'the user lacks the permission; the message says which, who has it and who can grant it',
  },
  NXF_CSRF: { status: 403, meaning: 'a form without a valid CSRF token (expired, or not from NxForge)' },
  NXF_USER_EXISTS: { status: 409, meaning: 'a user of that name already exists' },
  NXF_LAST_ADMIN: { status: 409, meaning: 'the change would leave no enabled administrator' },
  // Modules: manifests, archives, lifecycle
  NXF_MANIFEST_MISSING: { status: 400, meaning: 'the module folder has no manifest.json' },
  NXF_MANIFEST_JSON: { status: 400, meaning: 'manifest.json is not valid JSON' },
  NXF_MANIFEST_INVALID: { status: 400, meaning: 'the manifest breaks the schema; `details` lists each field' },
  NXF_UPLOAD_INVALID: { status: 400, meaning: 'the upload could not be read or has no `file` field' },
  NXF_UPLOAD_TOO_LARGE: { status: 413, meaning: 'the uploaded archive is over the upload limit' },
  NXF_ZIP_INVALID: {
    status: 400,
    meaning: 'the file is not a ZIP, or is cut short or damaged; `details` has what the ZIP library said',
  },
  NXF_ZIP_TOO_BIG: { status: 400, meaning: 'the archive has too many entries or unpacks too large' },
  NXF_ZIP_UNSAFE_PATH: { status: 400, meaning: 'an archive entry is absolute or climbs out with `..`' },
  NXF_ZIP_LINK: { status: 400, meaning: 'the archive holds a symbolic link' },
  NXF_ZIP_SPECIAL_FILE: { status: 400, meaning: 'the archive holds a device, FIFO or socket' },
  NXF_ZIP_ENCRYPTED: { status: 400, meaning: 'the archive holds an encrypted entry' },
  NXF_ZIP_DUPLICATE: { status: 400, meaning: 'the archive holds the same path twice' },
  NXF_ZIP_NO_MANIFEST: { status: 400, meaning: 'the archive has no manifest.json at its root or in one top folder' },
  NXF_MODULE_INVALID: { status: 400, meaning: 'the module package fails its checks; `details` lists the problems' },
  NXF_MODULE_BUILD: { status: 500, meaning: '`nxforge module pack`: the module does not compile' },
  NXF_MODULE_BUSY: { status: 409, meaning: 'the module is being installed right now' },
  NXF_MODULE_EXISTS: { status: 409, meaning: 'a module of that name is already installed' },
  NXF_MODULE_VERSION: { status: 409, meaning: 'the uploaded version is not newer than the installed one' },
  NXF_MODULE_NOT_FOUND: { status: 404, meaning: 'no module of that name is installed' },
  NXF_MODULE_DISABLED: { status: 403, meaning: "the module's pages and API answer this while it is not enabled" },
  NXF_MODULE_STATE: {
    status: 409,
    meaning: 'the module cannot take this step from its state (e.g. uninstall it enabled)',
  },
  NXF_MODULE_REQUIRED: { status: 409, meaning: 'enabled modules depend on this one; `details` names them' },
  NXF_MODULE_NAME_MISMATCH: { status: 400, meaning: "the manifest's name is not the module's recorded name" },
  NXF_MODULE_FILES: { status: 400, meaning: 'the entry, the views folder or a widget view is missing' },
  NXF_MODULE_ENTRY: { status: 400, meaning: 'the entry cannot be imported or exports no default setup function' },
  NXF_MODULE_SETUP_FAILED: { status: 500, meaning: "the module's setup(ctx) threw" },
  NXF_MODULE_SETUP_TIMEOUT: { status: 500, meaning: "the module's setup(ctx) did not finish within 30 s" },
  NXF_MODULE_LOAD: { status: 500, meaning: 'loading the module failed otherwise; the message names it and the cause' },
  NXF_CORE_INCOMPATIBLE: { status: 409, meaning: 'the module needs another NxForge core version' },
  NXF_DEPENDENCY_MISSING: { status: 409, meaning: 'a module it depends on is not enabled, or not in the range' },
  NXF_DEPENDENCY_CYCLE: { status: 409, meaning: 'the module is part of a dependency cycle; the message names it' },
  NXF_PATH_COLLISION: { status: 409, meaning: "the module claims a path of the core's or of another module's" },
  NXF_SIDEBAR_UNCLAIMED: { status: 400, meaning: 'a sidebar link points outside the paths the module claims' },
  NXF_UI_ROUTE_UNCLAIMED: { status: 400, meaning: 'the module registered a page outside the paths it claims' },
  NXF_ROUTE_UNDECLARED: { status: 400, meaning: 'the module registered an API route its manifest does not declare' },
  NXF_WIDGET_UNDECLARED: { status: 400, meaning: 'the module supplied a widget its manifest does not declare' },
  NXF_RENDER_OUTSIDE_REQUEST: { status: 500, meaning: 'a module called render() while serving no request' },
  NXF_CAPABILITY_DENIED: { status: 403, meaning: 'the module used a capability its manifest does not declare' },
  NXF_PREFIX_TAKEN: { status: 409, meaning: "the module's table prefix clashes with another module's" },
  NXF_MIGRATION_FAILED: { status: 400, meaning: 'a migration failed; it was rolled back with its record' },
  NXF_MIGRATION_FORMAT: { status: 400, meaning: 'a migration file is not in the expected form' },
  NXF_MIGRATION_LOAD: { status: 400, meaning: 'Node cannot load a JS migration (a syntax error, CommonJS read)' },
  NXF_MIGRATION_PREFIX: { status: 400, meaning: "a module migration touches objects without the module's prefix" },
  // Jobs and executions
  NXF_JOB_NOT_FOUND: { status: 404, meaning: 'no such job (of an enabled module)' },
  NXF_JOB_MODULE_DISABLED: { status: 409, meaning: "the job's module is installed but not enabled" },
  NXF_JOB_DATA_INVALID: { status: 400, meaning: 'the run data is not JSON or is over 64 KB' },
  NXF_JOB_HANDLER: { status: 400, meaning: "the job's handler file is missing or lies outside the module" },
  NXF_JOB_SCHEDULE: { status: 400, meaning: "the scheduler cannot run the job's cron expression" },
  NXF_JOB_RESERVED: { status: 409, meaning: 'a module named `core` may not have jobs' },
  NXF_JOB_BUSY: { status: 409, meaning: 'the job is already running in this process' },
  NXF_JOB_LAUNCH: { status: 500, meaning: "(run) the job's worker thread could not start" },
  NXF_JOB_CALL: { status: 400, meaning: '(run) a job worker sent a request the main thread does not know' },
  NXF_JOB_ENDED: { status: 409, meaning: '(run) the run ended while it waited for a browser' },
  NXF_JOB_ABORTED: { status: 500, meaning: "(run) the run's abort signal fired (timeout, cancel, shutdown)" },
  NXF_JOB_FAILED: { status: 500, meaning: '(run) the handler threw or rejected without a code of its own' },
  NXF_JOB_UNSUCCESSFUL: { status: 500, meaning: '(run) the handler returned success: false' },
  NXF_JOB_RESULT_INVALID: { status: 500, meaning: '(run) the handler returned something that is not a JobResult' },
  NXF_JOB_CRASHED: { status: 500, meaning: '(run) an uncaught exception in the job' },
  NXF_JOB_EXITED: { status: 500, meaning: '(run) the job called process.exit' },
  NXF_JOB_OUT_OF_MEMORY: { status: 500, meaning: '(run) the job reached its worker heap limit' },
  NXF_JOB_TIMEOUT: { status: 500, meaning: '(run) the job did not finish within its timeout' },
  NXF_JOB_CANCELLED: { status: 500, meaning: '(run) the run was cancelled (disable, unload, shutdown)' },
  NXF_JOB_INTERRUPTED: { status: 500, meaning: '(run) the process running it stopped before it ended' },
  NXF_EXECUTION_NOT_FOUND: { status: 404, meaning: 'no such execution' },
  NXF_EVENT_INVALID: {
    status: 400,
    meaning: 'an event name is not 1–100 letters, digits, dots, dashes or underscores',
  },
  NXF_RULE_INVALID: { status: 422, meaning: 'a notification rule has errors; `details` names each field' },
  // Core services
  NXF_CHROMIUM_MISSING: { status: 503, meaning: 'no Chromium to scrape with' },
  NXF_BROWSER_BUSY: { status: 503, meaning: 'no browser page slot freed within 30 s' },
  NXF_BROWSER_CRASHED: { status: 503, meaning: 'the browser went away during a scrape (it is replaced)' },
  NXF_BROWSER_POOL_CLOSED: { status: 503, meaning: 'the browser pool is shut down (NxForge is stopping)' },
  NXF_SCRAPE_AUTH: {
    status: 422,
    meaning: 'the device refused the login, or asked for credentials none were given for',
  },
  NXF_SCRAPE_TIMEOUT: { status: 503, meaning: 'the page, a selector or the login did not finish in time' },
  NXF_SCRAPE_UNREACHABLE: { status: 503, meaning: 'the page could not be loaded (connection refused, DNS, network)' },
  NXF_SCRAPE_HTTP: { status: 422, meaning: 'the page answered HTTP ≥ 400 (429 and 5xx, transient, with 503)' },
  NXF_SCRAPE_SESSION_LOST: { status: 503, meaning: 'the device keeps showing its login page after signing in again' },
  NXF_SCRAPE_PARSE: { status: 422, meaning: 'the text read is not a number in the stated locale and unit' },
  NXF_SCRAPE_SELECTOR: { status: 422, meaning: 'nothing on the page matches the selector' },
  NXF_SCRAPE_FAILED: { status: 422, meaning: 'the scrape failed in another way the browser reported' },
  NXF_HTTP_STATUS: { status: 502, meaning: 'the remote server answered ≥ 400 (after retries for 429 and 5xx)' },
  NXF_HTTP_TIMEOUT: { status: 504, meaning: 'the remote server did not answer in time, after retries' },
  NXF_HTTP_UNREACHABLE: { status: 502, meaning: 'the remote server could not be reached, after retries' },
  NXF_IPMITOOL_MISSING: { status: 503, meaning: 'ipmitool is not installed (Debian package `ipmitool`)' },
  NXF_IPMI_TIMEOUT: { status: 504, meaning: 'ipmitool did not finish by its deadline and was killed' },
  NXF_IPMI_CANCELLED: { status: 503, meaning: 'the ipmitool run was aborted (its job was cancelled)' },
  NXF_IPMI_UNREACHABLE: { status: 502, meaning: 'the BMC did not answer ipmitool' },
  NXF_IPMI_AUTH: { status: 422, meaning: 'the BMC refused the IPMI user or password' },
  NXF_IPMI_FAILED: { status: 502, meaning: 'ipmitool failed otherwise; the message quotes what it said' },
  NXF_IPMI_PARSE: { status: 502, meaning: 'ipmitool printed something that is not the listing asked for' },
  NXF_IPMI_TARGET: {
    status: 400,
    meaning: 'an IPMI host, user or port that is not valid (or would read as an option)',
  },
  NXF_SNMP_TIMEOUT: {
    status: 504,
    meaning: 'the SNMP agent did not answer in time, after retries (v2c: also a wrong community)',
  },
  NXF_SNMP_AUTH: {
    status: 422,
    meaning: 'the SNMP v3 agent refused the user or its keys (unknown user, wrong digest, cannot decrypt)',
  },
  NXF_SNMP_NO_SUCH_OBJECT: {
    status: 422,
    meaning: 'the SNMP agent has no value at the OID (noSuchObject, noSuchInstance, endOfMibView)',
  },
  NXF_SNMP_INVALID: {
    status: 400,
    meaning: 'an SNMP request that cannot be sent: not a numeric OID, no OID, bad session settings',
  },
  NXF_SNMP_ERROR: {
    status: 502,
    meaning: 'the SNMP agent answered with an error status, or the exchange failed otherwise',
  },
  NXF_STORAGE_PATH: { status: 400, meaning: 'a storage path is absolute, climbs with `..`, or crosses a link' },
  NXF_STORAGE_NOT_FOUND: { status: 404, meaning: 'no stored file at that path' },
  NXF_NOTIFICATION_INVALID: { status: 400, meaning: 'a notification has a malformed title, message, severity or data' },
  NXF_CHANNEL_CONFIG: { status: 422, meaning: "a notification channel's settings are invalid; `details` names them" },
  NXF_CHANNEL_NOT_FOUND: { status: 404, meaning: '(result) no such notification channel' },
  NXF_CHANNEL_DISABLED: { status: 409, meaning: '(result) the notification channel is switched off' },
  NXF_DELIVERY_FAILED: {
    status: 502,
    meaning: '(result) the channel refused the notification or could not be reached',
  },
  NXF_SECRET_KEY: { status: 500, meaning: 'the credentials key is not 32 bytes' },
  NXF_SECRET_KEY_MISMATCH: { status: 500, meaning: 'a stored secret was sealed under another NXFORGE_SECRET' },
  NXF_SECRET_CORRUPT: { status: 500, meaning: 'a stored secret was altered, moved to another row, or is not sealed' },
  NXF_DATA_DIR_UNREACHABLE: {
    status: 500,
    meaning: 'as root: an existing embedded cluster is in a folder the user postgres cannot enter (named)',
  },
  NXF_POSTGRES_START: {
    status: 500,
    meaning:
      "embedded PostgreSQL: initdb or the postmaster failed (PostgreSQL's last line), no user postgres, or the cluster refuses the password kept for it",
  },
  NXF_DATABASE_LOST: {
    status: 500,
    meaning: 'the embedded PostgreSQL died and could not be started again: logged, then exit code 1',
  },
} as const satisfies Record<`NXF_${string}`, { status: number; meaning: string; forModules?: true }>;

/** A code of the catalog: the only codes `NxfError` accepts. */
export type NxfCode = keyof typeof errorCatalog;

/** True when `value` is a code of the catalog (for codes that crossed a thread or a process as text). */
export function isNxfCode(value: unknown): value is NxfCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value);
}
