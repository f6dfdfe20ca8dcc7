/* 工作日历: an administrator's section of the console (loaded after console.js, whose
   helpers — api, el, $, $$, notice, showError, clearErrors, formatTime, labelCells,
   LOADERS — it uses).

   Shows where each year's working-day calendar comes from (GET /v1/calendar/{year}) and
   loads a year's arrangement (PUT /v1/calendar/{year}), whose answer says how many pushes
   judged on a provisional count were re-judged. The dates are parsed here first, so a
   mistyped line is named by its line number before anything is sent. */
"use strict";

const CALENDAR_FIRST_YEAR = 2018; // the backfill starts in 2018 (SPEC §1)
const CALENDAR_SOURCE_ZH = {
  library: "官方（节假日库）",
  loaded: "已加载（管理员）",
  provisional: "临时（按周一至周五计算）",
};
// 2027年1月1日 as the pages write it, or 2027-01-01 as notices are often copied
const CALENDAR_DATE = /^(\d{4})(?:-|年)(\d{1,2})(?:-|月)(\d{1,2})日?$/;

// years outside the default range that were loaded or looked up in this tab
const calendarExtraYears = new Set();
let calendarLookups = 0;
let calendarLoads = 0; // the table: an older answer never overwrites a newer one

function calendarThisYear() {
  const text = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric" })
    .format(new Date());
  return Number(text);
}

function calendarYears() {
  const years = new Set();
  for (let year = CALENDAR_FIRST_YEAR; year <= calendarThisYear() + 1; year += 1) years.add(year);
  calendarExtraYears.forEach((year) => years.add(year));
  return Array.from(years).sort((a, b) => b - a); // the coming year first
}

function calendarSourceBadge(source) {
  return el("span", { class: `badge cal-${source}` }, CALENDAR_SOURCE_ZH[source] || source);
}

async function loadCalendarSection() {
  const mine = ++calendarLoads;
  const years = calendarYears();
  const views = await Promise.all(
    years.map(async (year) => (await api("GET", `/v1/calendar/${year}`)).data),
  );
  // e.g. the tab's load answering after a PUT's reload: it would show the year provisional
  if (mine !== calendarLoads) return;
  $("#cal-table tbody").replaceChildren(...views.map((view) => el("tr", { dataset: { year: String(view.year) } },
    el("td", {}, String(view.year)),
    el("td", {}, calendarSourceBadge(view.source)),
    el("td", {}, view.source === "provisional" ? "—" : `${view.holidays.length} 天`),
    el("td", {}, view.source === "provisional" ? "—" : `${view.workdays.length} 天`),
    el("td", {}, view.loaded_at ? `${formatTime(view.loaded_at)}（第 ${view.revision} 版）` : ""),
    el("td", { class: "row-actions" }, el("button", {
      type: "button", class: "secondary", onclick: () => calendarFillForm(view),
    }, "填入表单")),
  )));
  labelCells($("#cal-table"));
}

/* Puts a year's arrangement in the form, to correct a loaded year or start a new one. */
function calendarFillForm(view) {
  const form = $("#cal-form");
  clearErrors(form);
  $("#cal-result").textContent = "";
  form.elements.year.value = String(view.year);
  form.elements.holidays.value = view.holidays.join("\n");
  form.elements.workdays.value = view.workdays.join("\n");
  calendarShowCurrent(view);
  form.scrollIntoView({ block: "start" });
  form.elements.holidays.focus();
}

function calendarShowCurrent(view) {
  $("#cal-current").textContent = view
    ? `${view.year} 年现为：${CALENDAR_SOURCE_ZH[view.source] || view.source}`
      + (view.revision ? `，第 ${view.revision} 版` : "")
    : "";
}

/* As the year is typed, say where that year's calendar comes from now. */
async function calendarLookUp() {
  const text = $("#cal-form").elements.year.value.normalize("NFKC").trim();
  const mine = ++calendarLookups;
  if (!/^\d{4}$/.test(text)) { calendarShowCurrent(null); return; }
  try {
    const view = (await api("GET", `/v1/calendar/${text}`)).data;
    if (mine === calendarLookups) calendarShowCurrent(view);
  } catch (exc) {
    if (mine === calendarLookups) $("#cal-current").textContent = exc.message;
  }
}

/* The dates of one textarea: one per line or separated by commas. Returns the dates (in
 * the order written, repeats dropped) and the line each came from; throws {field, message}
 * naming the first bad line. */
function calendarParseDates(text, field, year) {
  const dates = [];
  const lines = [];
  text.normalize("NFKC").split(/\r?\n/).forEach((line, index) => {
    for (const token of line.split(/[,，、;；\s]+/)) {
      if (!token) continue;
      const match = token.match(CALENDAR_DATE);
      const day = match && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
      if (!match || day.getUTCMonth() !== Number(match[2]) - 1 || day.getUTCDate() !== Number(match[3])) {
        throw { field, message: `第 ${index + 1} 行“${token}”不是有效日期，请按“${year || "2027"}年1月1日”的样式填写。` };
      }
      if (year && Number(match[1]) !== year) {
        throw { field, message: `第 ${index + 1} 行“${token}”不在 ${year} 年内。` };
      }
      const iso = `${match[1]}-${match[2].padStart(2, "0")}-${match[3].padStart(2, "0")}`;
      if (!dates.includes(iso)) { dates.push(iso); lines.push(index + 1); }
    }
  });
  return { dates, lines };
}

/* The form as a PUT body, or throws {field, message} for the first problem found. */
function calendarFromForm(form) {
  const yearText = form.elements.year.value.normalize("NFKC").trim();
  if (!/^\d{4}$/.test(yearText)) throw { field: "year", message: "请填写四位数字的年份，如 2027。" };
  const year = Number(yearText);
  const holidays = calendarParseDates(form.elements.holidays.value, "holidays", year);
  const workdays = calendarParseDates(form.elements.workdays.value, "workdays", year);
  workdays.dates.forEach((day, index) => {
    if (holidays.dates.includes(day)) {
      throw { field: "workdays", message: `第 ${workdays.lines[index]} 行 ${day} 已列为法定节假日，不能同时是调休上班日。` };
    }
  });
  return { year, holidays, workdays };
}

/* The API names a date by its index (holidays[3]); say which line of the textarea it is. */
function calendarPlaceError(exc, parsed) {
  const match = (exc.field || "").match(/^(holidays|workdays)\[(\d+)\]$/);
  if (!match) return exc;
  const list = parsed[match[1]];
  const line = list.lines[Number(match[2])];
  const reason = exc.message.replace(/^字段 [^：]+：/, "");
  return { field: match[1], message: line ? `第 ${line} 行 ${list.dates[Number(match[2])]}：${reason}` : reason };
}

async function calendarLoadYear(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  $("#cal-result").textContent = "";
  let parsed;
  try {
    parsed = calendarFromForm(form);
  } catch (problem) {
    showError(form, problem);
    return;
  }
  const button = $("#cal-load");
  button.disabled = true;
  button.textContent = "正在加载…";
  try {
    const loaded = (await api("PUT", `/v1/calendar/${parsed.year}`, {
      body: { holidays: parsed.holidays.dates, workdays: parsed.workdays.dates },
    })).data;
    $("#cal-result").textContent = `已加载 ${loaded.year} 年（第 ${loaded.revision} 版）：`
      + `法定节假日 ${loaded.holidays.length} 天，调休上班日 ${loaded.workdays.length} 天。`
      + `重新判定的推送 ${loaded.recomputed} 条`
      + (loaded.recompute_remaining ? "，其余的由每日稽核继续重新判定。" : "。");
    notice(`${loaded.year} 年工作日历已加载。`);
    calendarShowCurrent(loaded);
    if (loaded.year < CALENDAR_FIRST_YEAR || loaded.year > calendarThisYear() + 1) {
      calendarExtraYears.add(loaded.year);
    }
    await loadCalendarSection();
  } catch (exc) {
    showError(form, calendarPlaceError(exc, parsed));
  } finally {
    button.disabled = false;
    button.textContent = "加载";
  }
}

LOADERS.calendar = loadCalendarSection;
SIGN_OUT_RESETS.push(() => { calendarExtraYears.clear(); calendarLoads += 1; calendarLookups += 1; });
$("#cal-form").addEventListener("submit", calendarLoadYear);
$("#cal-form").elements.year.addEventListener("input", () => {
  calendarLookUp().catch((exc) => notice(exc.message, "error"));
});
