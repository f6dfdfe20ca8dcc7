/* 试点评估: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, query, labelCells, state, LOADERS — it uses).
   Numbers from GET /v1/stats/pilot; charts by the vendored Chart.js (chart.umd.js, a canvas:
   nothing the page's Content-Security-Policy forbids). Every chart has a table below it with
   the same numbers (what a screen reader reads) and a 下载CSV button for that table. */
"use strict";

const PILOT_COLORS = ["#0b4f8a", "#d9822b", "#2e7d32", "#8e24aa", "#b00020"];
const PILOT_FORMULA_START = ["=", "+", "-", "@", "\t", "\r"];

const pilotState = { report: null, charts: [], loads: 0 };

/* ---------- numbers as text, and as CSV ---------- */

/* A chart's axis label: 四川省 for 四川省住房和城乡建设厅 (a phone has no room for the full
   name; the table beside the chart keeps it). */
function pilotShortName(name) {
  return name.replace(/(住房和城乡建设(厅|委员会|管理委员会|局)|委员会)$/, "") || name;
}

function pilotShare(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
}

function pilotDays(value) {
  return value === null || value === undefined ? "—" : String(value);
}

/* The rule of chalicelib/domain/csv_safety.py: text a spreadsheet would run as a formula
   (= + - @, a tab or a carriage return first, full-width forms too: NFKC) gets a leading '.
   Numbers are written as numbers and never touched. */
function pilotSafeCell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const text = String(value);
  const start = text.slice(0, 8).normalize("NFKC");
  const risky = PILOT_FORMULA_START.some((c) => text.startsWith(c) || start.startsWith(c));
  return risky ? `'${text}` : text;
}

function pilotCsvField(text) {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/* A UTF-8 BOM first, so Excel reads the Chinese headers; CRLF rows as Python's csv writes. */
function pilotCsv(columns, rows) {
  const lines = [columns.map((c) => c.title), ...rows.map((row) => columns.map((c) => c.csv(row)))];
  return "\uFEFF" + lines.map((cells) => cells.map((v) => pilotCsvField(pilotSafeCell(v))).join(",")).join("\r\n") + "\r\n";
}

function pilotDownload(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = el("a", { href: url, download: filename, hidden: "" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/* A column: its Chinese title, the text shown in the table, and the CSV cell (a number stays
   a number; an unknown share or median is an empty cell). */
function pilotColumn(title, pick, show = (v) => (v === null || v === undefined ? "—" : String(v))) {
  return { title, text: (row) => show(pick(row)), csv: (row) => pick(row) };
}

/* A share: 95.2% in the table, 95.2 in the CSV (the header says %). */
function pilotShareColumn(pick) {
  const percent = (row) => {
    const value = pick(row);
    return value === null || value === undefined ? null : Math.round(value * 1000) / 10;
  };
  return { title: "按时率（%）", text: (row) => pilotShare(pick(row)), csv: percent };
}

/* ---------- one figure: chart, table, download ---------- */

function pilotFigure({ key, title, note, columns, rows, chart, tall = false, more = [] }) {
  const canvas = el("canvas", { role: "img", "aria-label": `${title}（图表；数据见下表）` });
  const table = el("table", { id: `pilot-table-${key}` },
    el("caption", { class: "pilot-caption" }, title),
    el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", { scope: "col" }, c.title)))),
    el("tbody", {}, ...rows.map((row) => el("tr", {}, ...columns.map((c) => el("td", {}, c.text(row)))))),
  );
  const figure = el("figure", { class: "card pilot-figure", id: `pilot-${key}` },
    el("figcaption", {}, el("h3", {}, title), note ? el("p", { class: "hint" }, note) : null),
    el("div", { class: tall ? "pilot-chart tall" : "pilot-chart" }, canvas),
    el("div", { class: "table-wrap" }, table),
    rows.length ? null : el("p", { class: "empty" }, "所选期间没有数据。"),
    el("div", { class: "actions" }, ...[{ label: "下载CSV", file: key, columns, rows }, ...more].map(
      (csv) => el("button", {
        type: "button", class: "secondary",
        onclick: () => pilotDownload(`${csv.file}.csv`, pilotCsv(csv.columns, csv.rows)),
      }, csv.label),
    )),
  );
  labelCells(table);
  $("#pilot-figures").append(figure);
  if (typeof Chart === "undefined") {
    canvas.parentElement.hidden = true; // no chart library: the table carries the numbers
    return;
  }
  pilotState.charts.push(new Chart(canvas, {
    type: chart.type,
    data: {
      labels: chart.labels,
      datasets: chart.datasets.map((set, index) => ({
        borderColor: PILOT_COLORS[index % PILOT_COLORS.length],
        backgroundColor: PILOT_COLORS[index % PILOT_COLORS.length],
        borderWidth: chart.type === "line" ? 2 : 0,
        spanGaps: false,
        ...set,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: chart.indexAxis || "x",
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom" } },
      scales: chart.scales || { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  }));
}

/* ---------- the section ---------- */

function pilotScope(report) {
  const id = $("#pilot-form").elements.scope.value;
  const authority = report.authorities.find((a) => a.authority_id === id);
  return authority
    ? { name: authority.name_zh, data: authority, national: false }
    : { name: "全国", data: report.national, national: true };
}

function pilotRender() {
  const report = pilotState.report;
  pilotState.charts.forEach((chart) => chart.destroy());
  pilotState.charts = [];
  $("#pilot-figures").replaceChildren();
  if (!report) return;
  if (typeof Chart !== "undefined") {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  }
  const period = `${formatMonth(report.from)}至${formatMonth(report.to)}`;
  const totals = report.national.totals;
  $("#pilot-summary").textContent = `${period}：全国批准奖项 ${totals.programs_approved} 项，`
    + `推送获奖信息 ${totals.awards_pushed} 条，按时率 ${pilotShare(totals.on_time_share)}，`
    + `核验次数 ${report.verifications.total} 次。奖项与获奖信息的统计截至最近一次稽核`
    + `（${report.as_of ? auditRunDate(report.as_of) : "尚未稽核"}）；核验次数为实时统计。`;
  // 数据订阅 (issue 21): who receives pushes, and how late they arrive
  const hooks = report.webhooks;
  const seconds = (v) => (v === null || v === undefined ? "—" : `${v} 秒`);
  $("#pilot-webhooks").textContent = hooks
    ? `接收推送的省份：${hooks.provinces_receiving}/${report.authorities.length}`
      + `（${pilotShare(hooks.share_of_provinces_receiving)}）；投递延迟（推送到接收）中位数`
      + ` ${seconds(hooks.delivery_lag_seconds.p50)}，P95 ${seconds(hooks.delivery_lag_seconds.p95)}`
      + `（最近 ${hooks.delivery_lag_seconds.samples} 次投递）；已暂停的订阅 ${hooks.subscriptions_paused} 个。`
    : "";

  // bars by province: the period's totals of each province
  const provinces = report.authorities.map((a) => ({
    name: a.name_zh, ...a.totals,
    backfill: Object.values(a.backfill).reduce((sum, n) => sum + n, 0),
  }));
  const firstYear = Object.keys(report.national.backfill)[0] || "";
  pilotFigure({
    key: "provinces",
    title: `各省份情况（${period} 合计）`,
    columns: [
      pilotColumn("省份", (r) => r.name),
      pilotColumn("批准奖项", (r) => r.programs_approved),
      pilotColumn("推送获奖信息", (r) => r.awards_pushed),
      pilotColumn("按时", (r) => r.on_time),
      pilotColumn("迟报", (r) => r.late),
      pilotColumn("待定", (r) => r.pending),
      pilotShareColumn((r) => r.on_time_share),
      pilotColumn("迟报中位工作日", (r) => r.median_working_days_late, pilotDays),
      pilotColumn(`${firstYear}年以来有效获奖信息`, (r) => r.backfill),
    ],
    rows: provinces,
    tall: true,
    chart: {
      type: "bar",
      indexAxis: "y",
      labels: provinces.map((p) => pilotShortName(p.name)),
      datasets: [
        { label: "推送获奖信息", data: provinces.map((p) => p.awards_pushed) },
        { label: "批准奖项", data: provinces.map((p) => p.programs_approved) },
      ],
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });

  // lines by month, for the scope chosen (全国 or one province)
  const scope = pilotScope(report);
  const months = scope.data.months;
  const labels = months.map((m) => formatMonth(m.month));
  const monthColumns = [
    pilotColumn("月份", (r) => r.month, formatMonth),
    pilotColumn("批准奖项", (r) => r.programs_approved),
    pilotColumn("推送获奖信息", (r) => r.awards_pushed),
    pilotColumn("按时", (r) => r.on_time),
    pilotColumn("迟报", (r) => r.late),
    pilotColumn("待定", (r) => r.pending),
  ];
  // every scope's months in one file, for those who evaluate the pilot in a spreadsheet
  const everyMonth = [{ name_zh: "全国", ...report.national }, ...report.authorities]
    .flatMap((scoped) => scoped.months.map((m) => ({ scope: scoped.name_zh, ...m })));
  pilotFigure({
    key: "monthly",
    title: `按月：批准奖项与推送获奖信息（${scope.name}）`,
    columns: monthColumns,
    rows: months,
    more: [{
      label: "下载全国及各省份按月CSV",
      file: "monthly-all",
      columns: [
        pilotColumn("范围", (r) => r.scope),
        ...monthColumns,
        pilotShareColumn((r) => r.on_time_share),
        pilotColumn("迟报中位工作日", (r) => r.median_working_days_late),
      ],
      rows: everyMonth,
    }],
    chart: {
      type: "line",
      labels,
      datasets: [
        { label: "推送获奖信息", data: months.map((m) => m.awards_pushed) },
        { label: "批准奖项", data: months.map((m) => m.programs_approved) },
      ],
    },
  });
  pilotFigure({
    key: "timeliness",
    title: `按月：按时率与迟报中位工作日（${scope.name}）`,
    note: "按时率 = 按时（含认定合理的迟报）÷ 已判定的推送；待定的不计入。",
    columns: [
      pilotColumn("月份", (r) => r.month, formatMonth),
      pilotShareColumn((r) => r.on_time_share),
      pilotColumn("迟报中位工作日", (r) => r.median_working_days_late, pilotDays),
    ],
    rows: months,
    chart: {
      type: "line",
      labels,
      datasets: [
        { label: "按时率（%）", yAxisID: "y", data: months.map((m) => (m.on_time_share === null ? null : m.on_time_share * 100)) },
        { label: "迟报中位工作日", yAxisID: "days", data: months.map((m) => m.median_working_days_late) },
      ],
      scales: {
        y: { beginAtZero: true, max: 100, title: { display: true, text: "%" } },
        days: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "工作日" } },
      },
    },
  });
  pilotFigure({
    key: "verifications",
    title: "按月：核验次数（全国）",
    note: "核验与打印核验的成功应答，同一访问地址对同一企业每天只计一次：企业因此不必再提交纸质证明。",
    columns: [
      pilotColumn("月份", (r) => r.month, formatMonth),
      pilotColumn("核验次数", (r) => r.verifications),
    ],
    rows: report.national.months,
    more: [{
      label: "下载每日核验次数CSV",
      file: "verifications-daily",
      columns: [pilotColumn("日期", (r) => r.date, formatDate), pilotColumn("核验次数", (r) => r.count)],
      rows: report.verifications.daily,
    }],
    chart: {
      type: "line",
      labels: report.national.months.map((m) => formatMonth(m.month)),
      datasets: [{ label: "核验次数", data: report.national.months.map((m) => m.verifications) }],
    },
  });
  pilotObjections(report);
  const backfill = Object.entries(scope.data.backfill).map(([year, count]) => ({ year, count }));
  pilotFigure({
    key: "backfill",
    title: `历史数据回填：有效获奖信息按获奖年度（${scope.name}）`,
    columns: [
      pilotColumn("年度", (r) => r.year),
      pilotColumn("有效获奖信息", (r) => r.count),
    ],
    rows: backfill,
    chart: {
      type: "bar",
      labels: backfill.map((b) => b.year),
      datasets: [{ label: "有效获奖信息", data: backfill.map((b) => b.count) }],
    },
  });
  pilotQualityFigure(report);
}

/* 数据质量 (issue 22): open error findings per 100 awards and the median days a finding
   took to resolve, by province (the counters the audit keeps; see quality.js for the list). */
function pilotQualityFigure(report) {
  const rows = report.authorities.filter((a) => a.quality).map((a) => ({ name: a.name_zh, ...a.quality }));
  if (!rows.length) return;
  pilotFigure({
    key: "quality",
    title: "数据质量：每百条获奖信息的未处理错误与问题处理中位天数（截至最近一次稽核）",
    note: "错误 = 重复报送、获奖日期早于奖项批准日期；处理 = 问题关闭或说明被认可。",
    columns: [
      pilotColumn("省份", (r) => r.name),
      pilotColumn("有效获奖信息", (r) => r.awards),
      pilotColumn("未处理错误", (r) => r.open_errors),
      pilotColumn("每百条未处理错误", (r) => r.open_errors_per_100_awards),
      pilotColumn("已处理问题", (r) => r.findings_resolved),
      pilotColumn("处理中位天数", (r) => r.median_days_to_resolve, pilotDays),
    ],
    rows,
    tall: true,
    chart: {
      type: "bar",
      indexAxis: "y",
      labels: rows.map((r) => pilotShortName(r.name)),
      datasets: [
        { label: "每百条未处理错误", data: rows.map((r) => r.open_errors_per_100_awards) },
        { label: "处理中位天数", data: rows.map((r) => r.median_days_to_resolve) },
      ],
      scales: { x: { beginAtZero: true } },
    },
  });
}

async function loadPilotSection() {
  const form = $("#pilot-form");
  clearErrors(form);
  const params = { from: form.elements.from.value.trim(), to: form.elements.to.value.trim() };
  // numbered: an answer that arrives after a newer 查询 was started is dropped
  const mine = ++pilotState.loads;
  let report;
  try {
    report = (await api("GET", "/v1/stats/pilot" + query(params))).data;
  } catch (exc) {
    if (mine === pilotState.loads) showError(form, exc);
    return;
  }
  if (mine !== pilotState.loads) return;
  pilotState.report = report;
  const select = form.elements.scope;
  const keep = select.value;
  select.replaceChildren(el("option", { value: "" }, "全国"),
    ...report.authorities.map((a) => el("option", { value: a.authority_id }, a.name_zh)));
  select.value = keep;
  pilotRender();
}

LOADERS.pilot = loadPilotSection;
SIGN_OUT_RESETS.push(() => {
  pilotState.charts.forEach((chart) => chart.destroy());
  pilotState.charts = [];
  pilotState.report = null;
  pilotState.loads += 1;
});

$("#pilot-form").addEventListener("submit", (event) => {
  event.preventDefault();
  loadPilotSection().catch((exc) => notice(exc.message, "error"));
});
$("#pilot-form").elements.scope.addEventListener("change", pilotRender);


/* 异议 (issue 23): objections per province since the pilot began, with the share answered
   on time and the share corrected (from GET /v1/stats/pilot: authorities[].objections). */
function pilotObjections(report) {
  if (!report.objections) return;
  const share = (title, pick) => ({ ...pilotShareColumn(pick), title });
  const rows = [
    { name: "全国", ...report.objections },
    ...report.authorities.map((a) => ({ name: a.name_zh, ...a.objections })),
  ];
  pilotFigure({
    key: "objections",
    title: "异议处理（试点以来，各省份）",
    note: "企业对获奖信息提出的异议：由报送单位在受理后 10 个工作日内答复。",
    columns: [
      pilotColumn("省份", (r) => r.name),
      pilotColumn("受理", (r) => r.received),
      pilotColumn("待答复", (r) => r.open),
      pilotColumn("超期未答复", (r) => r.overdue),
      pilotColumn("已答复", (r) => r.answered),
      share("按时答复率（%）", (r) => r.on_time_share),
      share("已更正比例（%）", (r) => r.corrected_share),
    ],
    rows,
    tall: true,
    chart: {
      type: "bar",
      indexAxis: "y",
      labels: rows.slice(1).map((r) => pilotShortName(r.name)),
      datasets: [
        { label: "受理", data: rows.slice(1).map((r) => r.received) },
        { label: "已答复", data: rows.slice(1).map((r) => r.answered) },
      ],
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
