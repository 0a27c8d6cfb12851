// The widget's language rule, as the loader applies it: the first of the
// candidate tags (data-locale, then <html lang>) whose primary subtag is in
// `supported`, else English. The loader needs it before the wasm runs (to
// fetch that language's texts alongside the wasm); the wasm has its own
// (widget/src/i18n.rs `pick`), and a browser test runs both on one table of
// tags so that they cannot drift apart. esbuild bundles this file into the
// loader.
export function language(tags, supported) {
  for (const tag of tags) {
    const primary = (tag || "").trim().split(/[-_]/)[0].toLowerCase();
    if (supported.includes(primary)) return primary;
  }
  return "en";
}
