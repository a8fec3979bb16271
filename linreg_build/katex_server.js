// Renders TeX with KaTeX for linreg_build/katex.py: one JSON request per line on stdin
// ({"tex": "...", "display": true}), one JSON reply per line on stdout ({"html": "..."} or
// {"error": "..."}). One process serves a whole build.
const katex = require(process.argv[2]);
const readline = require("readline");

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const { tex, display } = JSON.parse(line);
  let reply;
  try {
    // htmlAndMathml: the HTML is what people see, the MathML what screen readers read.
    reply = { html: katex.renderToString(tex, { displayMode: display, throwOnError: true,
                                                output: "htmlAndMathml", strict: "ignore" }) };
  } catch (error) {
    reply = { error: String(error.message || error) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
