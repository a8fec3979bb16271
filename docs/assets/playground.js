// Minibatch SGD playground: trains linear regression in the browser, with the same arithmetic as
// snippets/scratch.py (y = Xw + b + noise, true w = [2, -3.4], true b = 4.2, sigma = 0.01; squared loss
// 1/2 (y_hat - y)^2 summed over the batch and divided by the number of examples the batch holds, so a
// smaller last batch is averaged too; w ~ N(0, 0.01^2), b = 0).
// Mounted on every <div class="sgd-playground"> of a page; labels follow <html lang>.
(function () {
  "use strict";

  const TEXT = {
    zh: {
      lr: "学习率 η", batch: "批量大小", epochs: "轮次", n: "样本数 n", seed: "随机种子",
      shuffle: "每轮打乱", step: "走一步", run: "训练", reset: "重置",
      loss: "损失（对数坐标）", path: "(w₁, w₂) 的轨迹与损失等高线", steps: "步数",
      diverged: "训练发散了：损失急剧增大（超过 10¹²）。请把学习率调小。",
      status: (s) => `第 ${s.epoch} 轮，${s.steps} 步；损失 ${s.loss}`,
      done: "训练完成。", ready: "调整参数后点“训练”，或用“走一步”一步步看。",
    },
    en: {
      lr: "learning rate η", batch: "batch size", epochs: "epochs", n: "examples n", seed: "random seed",
      shuffle: "shuffle every epoch", step: "Step", run: "Run", reset: "Reset",
      loss: "loss (log scale)", path: "path of (w₁, w₂) over the loss contours", steps: "steps",
      diverged: "Training diverged: the loss blew up (above 10¹²). Lower the learning rate.",
      status: (s) => `epoch ${s.epoch}, ${s.steps} steps; loss ${s.loss}`,
      done: "Training finished.", ready: "Set the controls and press Run, or Step through it.",
    },
  };
  const TRUE_W = [2, -3.4], TRUE_B = 4.2, NOISE = 0.01;

  // mulberry32: a small seeded generator, so a given setting always gives the same run.
  function rng(seed) {
    let a = seed >>> 0;
    const uniform = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const normal = () => {  // Box-Muller
      const u = 1 - uniform(), v = uniform();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    };
    return { uniform, normal };
  }

  function makeData(n, random) {
    const X = new Float64Array(2 * n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[2 * i] = random.normal();
      X[2 * i + 1] = random.normal();
      y[i] = TRUE_W[0] * X[2 * i] + TRUE_W[1] * X[2 * i + 1] + TRUE_B + NOISE * random.normal();
    }
    return { X, y, n };
  }

  function meanLoss(d, w, b) {
    let s = 0;
    for (let i = 0; i < d.n; i++) {
      const r = w[0] * d.X[2 * i] + w[1] * d.X[2 * i + 1] + b - d.y[i];
      s += 0.5 * r * r;
    }
    return s / d.n;
  }

  // Least squares in closed form (centred 2x2 normal equations): the centre of the contours.
  function leastSquares(d) {
    let m0 = 0, m1 = 0, my = 0;
    for (let i = 0; i < d.n; i++) { m0 += d.X[2 * i]; m1 += d.X[2 * i + 1]; my += d.y[i]; }
    m0 /= d.n; m1 /= d.n; my /= d.n;
    let a = 0, bb = 0, c = 0, r0 = 0, r1 = 0;
    for (let i = 0; i < d.n; i++) {
      const x0 = d.X[2 * i] - m0, x1 = d.X[2 * i + 1] - m1, yy = d.y[i] - my;
      a += x0 * x0; bb += x0 * x1; c += x1 * x1; r0 += x0 * yy; r1 += x1 * yy;
    }
    const det = a * c - bb * bb;
    const w = [(c * r0 - bb * r1) / det, (a * r1 - bb * r0) / det];
    return { w, b: my - w[0] * m0 - w[1] * m1, M: [a / d.n, bb / d.n, c / d.n] };
  }

  function shuffled(n, random, shuffle) {
    const idx = Array.from({ length: n }, (_, i) => i);
    if (shuffle) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random.uniform() * (i + 1));
        [idx[i], idx[j]] = [idx[j], idx[i]];
      }
    }
    return idx;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function el(tag, attrs, parent, ns) {
    const node = ns ? document.createElementNS(SVG, tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  function mount(root, index) {
    const lang = document.documentElement.lang === "zh" ? "zh" : "en";
    const T = TEXT[lang];
    const id = (name) => `sgd-${index}-${name}`;
    root.innerHTML = "";
    const controls = el("div", { class: "sgd-controls" }, root);

    function control(name, label, attrs) {
      const wrap = el("div", { class: "sgd-control" }, controls);
      el("label", { for: id(name), text: label }, wrap);
      const input = el("input", { id: id(name), name, ...attrs }, wrap);
      const out = attrs.type === "range" ? el("output", { for: id(name), id: id(name + "-value") }, wrap) : null;
      return { input, out };
    }
    // Learning rates on a roughly logarithmic scale; it includes every rate the Python page scans.
    const RATES = [0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 1.5, 2, 3];
    const lr = control("lr", T.lr, { type: "range", min: 0, max: RATES.length - 1, step: 1,
                                     value: RATES.indexOf(0.03), "data-rates": JSON.stringify(RATES) });
    const batch = control("batch", T.batch, { type: "number", min: 1, max: 5000, step: 1, value: 10 });
    const epochs = control("epochs", T.epochs, { type: "number", min: 1, max: 50, step: 1, value: 3 });
    const nIn = control("n", T.n, { type: "number", min: 10, max: 5000, step: 10, value: 1000 });
    const seedIn = control("seed", T.seed, { type: "number", min: 0, max: 99999, step: 1, value: 0 });
    const shuffleWrap = el("div", { class: "sgd-control sgd-check" }, controls);
    const shuffle = el("input", { id: id("shuffle"), type: "checkbox", checked: "" }, shuffleWrap);
    el("label", { for: id("shuffle"), text: T.shuffle }, shuffleWrap);
    const buttons = el("div", { class: "sgd-buttons" }, root);
    const stepBtn = el("button", { type: "button", class: "md-button", text: T.step }, buttons);
    const runBtn = el("button", { type: "button", class: "md-button md-button--primary", text: T.run }, buttons);
    const resetBtn = el("button", { type: "button", class: "md-button", text: T.reset }, buttons);

    const status = el("p", { class: "sgd-status", role: "status", "aria-live": "polite" }, root);
    const readout = el("p", { class: "sgd-readout" }, root);
    const plots = el("div", { class: "sgd-plots" }, root);
    const lossSvg = el("svg", { viewBox: "0 0 320 220", class: "sgd-loss", role: "img", "aria-label": T.loss }, plots, true);
    const pathSvg = el("svg", { viewBox: "0 0 320 220", class: "sgd-path", role: "img", "aria-label": T.path }, plots, true);

    let state;
    const lrValue = () => RATES[Number(lr.input.value)];
    const intOf = (c, lo, hi) => Math.min(hi, Math.max(lo, Math.round(Number(c.input.value) || lo)));

    function reset() {
      stop();
      const random = rng(intOf(seedIn, 0, 99999));
      const data = makeData(intOf(nIn, 10, 5000), random);
      const w = [0.01 * random.normal(), 0.01 * random.normal()];
      state = { random, data, w, b: 0, epoch: 0, steps: 0, order: [], pos: 0, diverged: false,
                ls: leastSquares(data), losses: [meanLoss(data, w, 0)], path: [[w[0], w[1]]] };
      lr.out.textContent = String(lrValue());
      lr.input.setAttribute("aria-valuetext", String(lrValue()));
      status.textContent = T.ready;
      draw();
    }

    // One minibatch step: the update of snippets/scratch.py's sgd().
    function step() {
      const s = state, d = s.data, size = intOf(batch, 1, d.n), eta = lrValue();
      if (s.diverged || s.epoch >= intOf(epochs, 1, 50)) return false;
      if (s.pos >= d.n) { s.pos = 0; s.order = []; }
      if (s.pos === 0 && s.order.length === 0) s.order = shuffled(d.n, s.random, shuffle.checked);
      const idx = s.order.slice(s.pos, s.pos + size);
      let g0 = 0, g1 = 0, gb = 0;
      for (const i of idx) {
        const r = s.w[0] * d.X[2 * i] + s.w[1] * d.X[2 * i + 1] + s.b - d.y[i];
        g0 += r * d.X[2 * i]; g1 += r * d.X[2 * i + 1]; gb += r;
      }
      // Divided by the actual batch size, as sgd() does: every step uses the mean gradient of its batch.
      const m = idx.length;
      s.w[0] -= eta * g0 / m; s.w[1] -= eta * g1 / m; s.b -= eta * gb / m;
      s.pos += idx.length; s.steps += 1;
      if (s.pos >= d.n) s.epoch += 1;
      const loss = meanLoss(d, s.w, s.b);
      s.losses.push(loss);
      s.path.push([s.w[0], s.w[1]]);
      if (!Number.isFinite(loss) || loss > 1e12) s.diverged = true;
      return !s.diverged;
    }

    let timer = null;
    function stop() { if (timer) { clearInterval(timer); timer = null; } runBtn.disabled = false; }
    function run() {
      stop();
      if (state.epoch >= intOf(epochs, 1, 50) || state.diverged) reset();
      runBtn.disabled = true;
      timer = setInterval(() => {
        for (let k = 0; k < 20; k++) {
          if (!step()) { stop(); break; }
        }
        draw();
      }, 16);
    }

    function fmt(x) { return Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toFixed(4); }

    function draw() {
      const s = state, loss = s.losses[s.losses.length - 1];
      const err = Math.max(Math.abs(s.w[0] - TRUE_W[0]), Math.abs(s.w[1] - TRUE_W[1]), Math.abs(s.b - TRUE_B));
      if (s.diverged) {
        status.textContent = T.diverged;
        root.dataset.diverged = "true";
        readout.textContent = "";
        delete root.dataset.maxError;
      } else {
        root.dataset.diverged = "false";
        status.textContent = s.epoch >= intOf(epochs, 1, 50) ? `${T.done} ${T.status({ epoch: s.epoch, steps: s.steps, loss: fmt(loss) })}`
          : s.steps ? T.status({ epoch: s.epoch, steps: s.steps, loss: fmt(loss) }) : T.ready;
        readout.textContent = `w = [${s.w[0].toFixed(4)}, ${s.w[1].toFixed(4)}], b = ${s.b.toFixed(4)};  ` +
          `|ŵ − w_true|, |b̂ − b_true| ≤ ${err.toExponential(1)}`;
        root.dataset.maxError = String(err);
      }
      root.dataset.steps = String(s.steps);
      drawLoss(s);
      drawPath(s);
    }

    function axes(svg, title) {
      svg.replaceChildren();
      el("rect", { x: 40, y: 10, width: 270, height: 180, class: "sgd-frame" }, svg, true);
      el("text", { x: 175, y: 212, "text-anchor": "middle", class: "sgd-label", text: title }, svg, true);
    }

    function drawLoss(s) {
      axes(lossSvg, T.steps);
      const finite = s.losses.filter((v) => Number.isFinite(v) && v > 0);
      if (!finite.length) return;
      const lo = Math.floor(Math.log10(Math.min(...finite, 1e-5))), hi = Math.ceil(Math.log10(Math.max(...finite, 10)));
      const x = (i) => 40 + 270 * i / Math.max(1, s.losses.length - 1);
      const y = (v) => 190 - 180 * (Math.log10(Math.min(Math.max(v, 10 ** lo), 10 ** hi)) - lo) / (hi - lo);
      for (let p = lo; p <= hi; p += Math.max(1, Math.round((hi - lo) / 5))) {
        el("text", { x: 36, y: y(10 ** p) + 4, "text-anchor": "end", class: "sgd-tick", text: `1e${p}` }, lossSvg, true);
      }
      const points = s.losses.map((v, i) => `${x(i).toFixed(1)},${y(Number.isFinite(v) ? v : 10 ** hi).toFixed(1)}`);
      el("polyline", { points: points.join(" "), class: "sgd-curve" }, lossSvg, true);
    }

    function drawPath(s) {
      axes(pathSvg, "w₁ →   w₂ ↑");
      const clipId = id("clip");
      const defs = el("defs", {}, pathSvg, true);
      el("rect", { x: 40, y: 10, width: 270, height: 180 }, el("clipPath", { id: clipId }, defs, true), true);
      const plot = el("g", { "clip-path": `url(#${clipId})` }, pathSvg, true);
      const [w1c, w2c] = s.ls.w, span = 4;  // the view: ±span around the least-squares solution
      const x = (v) => 40 + 270 * (v - (w1c - span)) / (2 * span);
      const y = (v) => 190 - 180 * (v - (w2c - span)) / (2 * span);
      // Contours of L at the least-squares b: ellipses (w - w_LS)^T M (w - w_LS) = 2 * level, with M the
      // covariance matrix of the features (s.ls.M).
      const [a, bb, c] = s.ls.M, tr = a + c, det = a * c - bb * bb;
      const l1 = tr / 2 + Math.sqrt(tr * tr / 4 - det), l2 = tr / 2 - Math.sqrt(tr * tr / 4 - det);
      const angle = Math.abs(bb) < 1e-12 ? (a >= c ? 0 : Math.PI / 2) : Math.atan2(l1 - a, bb);
      for (const level of [0.05, 0.3, 1, 3, 8, 20]) {
        const pts = [];
        for (let t = 0; t <= 64; t++) {
          const th = 2 * Math.PI * t / 64, u = Math.sqrt(2 * level / l1) * Math.cos(th), v = Math.sqrt(2 * level / l2) * Math.sin(th);
          pts.push(`${x(w1c + u * Math.cos(angle) - v * Math.sin(angle)).toFixed(1)},${y(w2c + u * Math.sin(angle) + v * Math.cos(angle)).toFixed(1)}`);
        }
        el("polyline", { points: pts.join(" "), class: "sgd-contour" }, plot, true);
      }
      const clip = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
      const pts = s.path.filter(([p, q]) => Number.isFinite(p) && Number.isFinite(q))
        .map(([p, q]) => `${clip(x(p), 40, 310).toFixed(1)},${clip(y(q), 10, 190).toFixed(1)}`);
      el("polyline", { points: pts.join(" "), class: "sgd-trace" }, plot, true);
      el("circle", { cx: x(TRUE_W[0]), cy: y(TRUE_W[1]), r: 3, class: "sgd-target" }, plot, true);
    }

    stepBtn.addEventListener("click", () => { stop(); step(); draw(); });
    runBtn.addEventListener("click", run);
    resetBtn.addEventListener("click", reset);
    for (const c of [batch, epochs, nIn, seedIn]) c.input.addEventListener("change", reset);
    lr.input.addEventListener("input", reset);
    shuffle.addEventListener("change", reset);
    reset();
  }

  // document$ (Material) fires on every page load, also after instant navigation.
  const start = () => document.querySelectorAll(".sgd-playground").forEach(mount);
  if (typeof document$ !== "undefined") document$.subscribe(start);
  else document.addEventListener("DOMContentLoaded", start);
})();
