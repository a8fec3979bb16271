// Render the math that pymdownx.arithmatex (generic mode) leaves as \( \) and \[ \] in
// <span|div class="arithmatex">, with KaTeX served by this site. document$ fires on the first
// load and again after every page change of Material's instant navigation.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
  });
});
