/**
 * Where the console's static files are, for the service that serves them (the tracker): `public/`
 * (index.html, styles) and `dist/` (the compiled browser modules), as file URLs (the server turns
 * them into paths with `fileURLToPath`).
 */
export const CONSOLE_PUBLIC_URL = new URL('../public/', import.meta.url);
export const CONSOLE_SCRIPTS_URL = new URL('../dist/', import.meta.url);
