/** The console's one stylesheet, served same-origin at CONSOLE_CSS (no build step, no outside fonts). */
export const CONSOLE_STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f5f6f8}
header{display:flex;gap:2rem;align-items:center;padding:.6rem 1.5rem;background:#1d2330;color:#fff}
header a{color:#fff;text-decoration:none;margin-right:1rem}
.brand{font-weight:600}
main{padding:1rem 1.5rem;max-width:1300px}
h1{font-size:1.3rem;margin:.4rem 0 1rem}
h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
section.cards{display:flex;flex-wrap:wrap;gap:.8rem}
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:.6rem .9rem;min-width:150px}
.card b{display:block;font-size:1.35rem}
.card span{color:#5b6475;font-size:.85rem}
.charts{display:flex;flex-wrap:wrap;gap:1rem;margin-top:1rem}
figure{margin:0;background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:.5rem .8rem}
figcaption{font-weight:600;margin-bottom:.3rem}
svg text{font-size:10px;fill:#5b6475}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e8}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eceff3;vertical-align:top}
th{background:#eef0f4;font-weight:600}
td.num,th.num{text-align:right}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin:.5rem 0 1rem}
form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:#5b6475}
input,select,button{font:inherit;padding:.25rem .4rem}
.tag{display:inline-block;padding:0 .45rem;border-radius:9px;font-size:.8rem;background:#e4e7ed}
.tag.resolved,.tag.answered{background:#d5f1dd;color:#155d2b}
.tag.handed_off,.tag.handoff{background:#fde7c8;color:#7a4a00}
.tag.abandoned,.tag.skipped{background:#e4e7ed;color:#3b4250}
.tag.fallback,.tag.failed,.tag.capped{background:#f9d6d6;color:#8a1c1c}
.legend span{margin-right:.8rem;font-size:.8rem}
.sw{display:inline-block;width:.7rem;height:.7rem;margin-right:.25rem;vertical-align:middle}
.muted{color:#5b6475}
code{font-size:.85em;background:#eef0f4;padding:0 .2rem;border-radius:3px;word-break:break-all}
.turn{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0}
.turn ul{margin:.3rem 0;padding-left:1.2rem}
`;
