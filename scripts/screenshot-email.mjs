// Screenshot of an e-mail's HTML part as a mail client would show it (no
// network: the e-mail must need none), for the README.
//
//   QC_EMAIL_SAMPLE=/tmp/confirmation.html cargo test -p qc-stack --test email
//   node scripts/screenshot-email.mjs /tmp/confirmation.html docs/screenshots/order-confirmation-email.png
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node scripts/screenshot-email.mjs EMAIL.html OUT.png");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.QC_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 680, height: 900 }, deviceScaleFactor: 1 });
  // Any request at all would be a remote resource a mail client blocks.
  const requests = [];
  page.on("request", (r) => { if (!r.url().startsWith("data:") && r.url() !== "about:blank") requests.push(r.url()); });
  await page.setContent(readFileSync(input, "utf8"), { waitUntil: "load" });
  await page.screenshot({ path: output, fullPage: true });
  if (requests.length) {
    console.error(`the e-mail loads remote resources: ${requests.join(", ")}`);
    process.exit(1);
  }
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
}
