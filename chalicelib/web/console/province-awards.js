/* 获奖信息: a province's section of the console (loaded after console.js, whose helpers it
 * uses): its awards page by page, the push / correction form with its winners, 撤销. */
"use strict";

const MAX_WINNERS = 40;

/* The award form offers the programmes that take awards; the filter offers them all. */
function fillAwardSelects(programs) {
  const usable = programs.filter((p) => p.status === "submitted" || p.status === "approved");
  const options = (list) => list.map((p) => el("option", { value: p.id }, `${p.name}（${STATUS_ZH[p.status]}）`));
  const awardSelect = $('#award-form select[name="program_id"]');
  const keep = awardSelect.value;
  awardSelect.replaceChildren(...options(usable));
  if (keep) awardSelect.value = keep;
  const filter = $('#award-filter select[name="program_id"]');
  const keepFilter = filter.value;
  filter.replaceChildren(el("option", { value: "" }, "全部"), ...options(programs));
  filter.value = keepFilter;
}

PROGRAM_WATCHERS.push(fillAwardSelects);

/* ---------- 工程所在地: 省/市/区县 by name, the GB/T 2260 code kept underneath ---------- */

let areasLoad = null; // the names (/static/areas.json, from chalicelib/data/areas), read once

function areaNames() {
  if (!areasLoad) {
    areasLoad = fetch(`${BASE}/static/areas.json`).then((response) => {
      if (!response.ok) throw new Error("areas");
      return response.json();
    }).catch((exc) => { areasLoad = null; throw exc; });
  }
  return areasLoad;
}

function ownProvince() {
  const mine = state.authorities[state.me.authority_id];
  return (mine && mine.division_code) || `${state.me.authority_id.slice(0, 2)}0000`;
}

function placeOptions(select, entries, chosen, unknownLabel) {
  select.replaceChildren(el("option", { value: "" }, "（请选择）"),
    ...entries.map(([code, name]) => el("option", { value: code }, name)));
  if (chosen && !entries.some(([code]) => code === chosen)) {
    // an abolished code stays valid on the record: keep it, said as such
    select.append(el("option", { value: chosen }, unknownLabel));
  }
  select.value = chosen || "";
}

function showPlaceCode() {
  const form = $("#award-form");
  const code = $("#place-county").value || $("#place-city").value || "";
  form.elements["project.location_code"].value = code;
  $("#place-code").textContent = code ? `行政区划代码：${code}` : "";
}

async function fillCounties(chosen = "") {
  const data = await areaNames();
  const city = $("#place-city").value;
  const counties = city
    ? Object.entries(data.county).filter(([code]) => code.slice(0, 4) === city.slice(0, 4)) : [];
  placeOptions($("#place-county"), counties, chosen, `原区划（代码 ${chosen}）`);
  showPlaceCode();
}

/* Only the authority's own province is offered; a code from the record is selected. */
async function fillPlace(code = "") {
  const data = await areaNames();
  const province = ownProvince();
  $("#place-province").replaceChildren(
    el("option", { value: province }, data.province[province] || province));
  const cities = Object.entries(data.city).filter(([c]) => c.slice(0, 2) === province.slice(0, 2));
  const city = code && code.slice(4) !== "00" ? `${code.slice(0, 4)}00` : code;
  placeOptions($("#place-city"), cities, city && city.slice(2) !== "0000" ? city : "",
    `原区划（代码 ${city}）`);
  await fillCounties(code && code.slice(4) !== "00" ? code : "");
}

/* ---------- the form's checks: every problem at once ---------- */

function awardProblems(form) {
  const problems = requiredProblems(form, [
    ["source_id", "本省编号"], ["year", "评选年度"], ["honor", "奖项等次（荣誉）"],
    ["awarded_on", "公布日期"], ["project.name", "工程名称"],
  ]);
  if (!form.elements.program_id.value) {
    problems.unshift({ field: "program_id",
      message: "请选择所属奖项；如没有可选的奖项，请先在“奖项清单”中报送奖项。" });
  }
  const awardedOn = form.elements.awarded_on.value;
  const year = form.elements.year.value.trim();
  if (year && !/^\d{4}$/.test(year)) {
    problems.push({ field: "year", message: "评选年度应为四位数字，例如 2024。" });
  } else if (year && awardedOn && Number(year) > Number(awardedOn.slice(0, 4))) {
    problems.push({ field: "year", message: "评选年度不能晚于公布日期所在的年份。" });
  }
  const dated = dateProblem("awarded_on", awardedOn, { label: "公布日期", earliest: "2018-01-01" });
  if (dated) problems.push(dated);
  const url = form.elements.announcement_url.value.trim();
  if (url && !/^https?:\/\/\S+$/i.test(url)) {
    problems.push({ field: "announcement_url", message: "请填写完整的网页地址（可从浏览器地址栏复制）。" });
  }
  const seen = new Map();
  $$("#winners .winner", form).forEach((row, index) => {
    const get = (key) => $(`[data-key="${key}"]`, row).value.trim();
    if (!get("name")) problems.push({ field: `winners[${index}].name`, message: "请填写单位名称。" });
    const code = normalizeCode(get("credit_code"));
    const hint = creditCodeHint(code);
    if (!code) {
      problems.push({ field: `winners[${index}].credit_code`, message: "请填写统一社会信用代码。" });
    } else if (hint.ok === false) {
      problems.push({ field: `winners[${index}].credit_code`, message: `${hint.text}。` });
    } else if (hint.ok === null) {
      problems.push({ field: `winners[${index}].credit_code`, message: "统一社会信用代码应为 18 位。" });
    } else if (seen.has(code)) {
      problems.push({ field: `winners[${index}].credit_code`,
        message: `与获奖单位 ${seen.get(code) + 1} 的统一社会信用代码相同，请删除重复的单位。` });
    } else {
      seen.set(code, index);
    }
  });
  return problems;
}

let awardFormReady = () => true;

function addWinner(winner = {}) {
  const box = $("#winners");
  if (box.children.length >= MAX_WINNERS) return;
  const row = $("#winner-row").content.firstElementChild.cloneNode(true);
  for (const input of $$("[data-key]", row)) {
    if (winner[input.dataset.key]) input.value = winner[input.dataset.key];
  }
  const code = $('[data-key="credit_code"]', row);
  code.addEventListener("input", () => hintCode(row));
  $(".winner-remove", row).addEventListener("click", () => {
    if (box.children.length > 1) { row.remove(); numberWinners(); }
  });
  box.append(row);
  linkFieldErrors(row);
  hintCode(row);
  numberWinners();
}

function hintCode(row) {
  const hint = creditCodeHint($('[data-key="credit_code"]', row).value);
  const span = $(".code-hint", row);
  span.textContent = hint.text;
  span.dataset.ok = hint.ok === null ? "" : String(hint.ok);
}

function numberWinners() {
  const rows = $$("#winners .winner");
  rows.forEach((row, index) => {
    $("legend", row).textContent = `获奖单位 ${index + 1}`;
    $(".winner-remove", row).disabled = rows.length <= 1;
  });
  $("#winner-add").disabled = rows.length >= MAX_WINNERS;
}

function awardFromForm(form) {
  const value = (name) => form.elements[name].value.trim();
  const optional = (name) => value(name) || undefined;
  const year = value("year");
  return {
    source_id: value("source_id"),
    program_id: value("program_id"),
    year: /^\d{1,4}$/.test(year) ? Number(year) : year,
    honor: value("honor"),
    awarded_on: value("awarded_on"),
    announcement_number: optional("announcement_number"),
    announcement_url: optional("announcement_url"),
    project: {
      name: value("project.name"),
      category: value("project.category"),
      location_code: optional("project.location_code"),
      code: optional("project.code"),
    },
    winners: $$("#winners .winner", form).map((row) => {
      const get = (key) => $(`[data-key="${key}"]`, row).value.trim();
      return {
        name: get("name"),
        credit_code: normalizeCode(get("credit_code")),
        role: get("role"),
        project_manager: get("project_manager") || undefined,
      };
    }),
  };
}

// what the last saved award chose (programme, category, year): a new form starts from it
const lastAwardChoices = {};

function editAward(award) {
  const form = $("#award-form");
  form.reset();
  clearErrors(form);
  $("#award-conflict").textContent = "";
  state.editingAward = award;
  fillAwardSelects(state.programs);
  $("#winners").replaceChildren();
  $("#award-form-title").textContent = award ? `更正获奖信息：${award.project.name}` : "录入获奖信息";
  form.elements.source_id.readOnly = Boolean(award);
  if (award) {
    const select = form.elements.program_id;
    if (!$$("option", select).some((o) => o.value === award.program_id)) {
      select.append(el("option", { value: award.program_id }, award.program_id));
    }
    for (const name of ["source_id", "program_id", "year", "honor", "awarded_on",
      "announcement_number", "announcement_url"]) {
      form.elements[name].value = award[name] ?? "";
    }
    for (const name of ["name", "category", "code"]) {
      form.elements[`project.${name}`].value = award.project[name] ?? "";
    }
    award.winners.forEach((winner) => addWinner(winner));
  } else {
    form.elements.year.value = chinaToday().slice(0, 4);
    // the next award is usually of the same programme and kind: keep what was chosen last
    for (const [name, value] of Object.entries(lastAwardChoices)) {
      if ($$("option", form.elements[name]).some((o) => o.value === value)) form.elements[name].value = value;
    }
    addWinner();
  }
  form.elements.awarded_on.max = chinaToday();
  fillPlace(award ? award.project.location_code || "" : "")
    .catch(() => { $("#place-code").textContent = "地区名称暂时无法载入，可稍后再选。"; });
  $("#revoke-form").hidden = true;
  form.hidden = false;
  form.scrollIntoView({ block: "start" });
}

async function saveAward(event) {
  event.preventDefault();
  const form = event.currentTarget;
  $("#award-conflict").textContent = "";
  if (!awardFormReady()) return;
  const body = awardFromForm(form);
  const editing = state.editingAward;
  try {
    const saved = await busy($("#award-save"), "正在保存…", async () => {
      if (editing) {
        return (await api("PUT", `/v1/awards/${editing.id}`, {
          body, headers: { "If-Match": `"${editing.version}"` },
        })).data;
      }
      return (await api("POST", "/v1/awards", { body })).data;
    });
    form.hidden = true;
    state.editingAward = null;
    lastAwardChoices.program_id = body.program_id;
    lastAwardChoices["project.category"] = body.project.category;
    notice(`${editing ? "已更正" : "已报送"}：${saved.project.name}（第 ${saved.version} 版）`);
    await loadAwards(true);
  } catch (exc) {
    if (exc.status === 412 && editing) {
      const fresh = (await api("GET", `/v1/awards/${editing.id}`)).data;
      editAward(fresh);
      $("#award-conflict").textContent =
        "该获奖信息已被他人修改，已重新载入最新内容（第 " + fresh.version + " 版），请核对后再提交更正。";
    } else {
      showError(form, exc);
    }
  }
}

// Each list load is numbered: an answer that arrives after a newer load was started (a
// tab switch still in flight when the filter is applied) is dropped, never shown.
let awardLoads = 0;

async function loadAwards(reset = false) {
  if (reset) { state.awardCursors = [null]; state.awardPage = 0; }
  const mine = ++awardLoads;
  const cursor = state.awardCursors[state.awardPage];
  const page = (await api("GET", "/v1/awards" + query({
    authority_id: ownAuthority(), include_revoked: "true", limit: PAGE_SIZE, cursor,
    ...state.awardFilter,
  }))).data;
  if (mine !== awardLoads) return;
  state.awardCursors[state.awardPage + 1] = page.next_cursor || null;
  const body = $("#award-table tbody");
  body.replaceChildren(...page.items.map((award) => el("tr", { class: award.status },
    el("td", {}, award.project.name),
    el("td", {}, award.honor),
    el("td", {}, award.winners.map((w) => w.name).join("、")),
    el("td", {}, timeElement(award.awarded_on)),
    el("td", {}, timeElement(award.deadline)),
    el("td", {}, el("span", { class: `badge t-${award.timeliness.status}` }, timelinessText(award))),
    el("td", {}, award.status === "revoked" ? `已撤销：${award.revoked_reason || ""}` : "有效"),
    el("td", { class: "row-actions" }, award.status === "revoked" ? "" : [
      el("button", { type: "button", class: "secondary", onclick: () => correctAward(award.id) }, "更正"),
      el("button", { type: "button", class: "danger", onclick: () => askRevoke(award) }, "撤销"),
    ].reduce((frag, b) => { frag.append(b); return frag; }, document.createDocumentFragment())),
  )));
  labelCells($("#award-table"));
  $("#award-empty").hidden = page.items.length > 0;
  $("#award-prev").disabled = state.awardPage === 0;
  $("#award-next").disabled = !page.next_cursor;
  $("#award-page").textContent = `第 ${state.awardPage + 1} 页`;
}

async function correctAward(id) {
  try {
    editAward((await api("GET", `/v1/awards/${id}`)).data);
  } catch (exc) {
    notice(exc.message, "error");
  }
}

function askRevoke(award) {
  const form = $("#revoke-form");
  form.reset();
  clearErrors(form);
  state.revoking = award;
  $("#revoke-what").textContent = `${award.project.name}（${award.honor}）`;
  $("#award-form").hidden = true;
  form.hidden = false;
  form.elements.reason.focus();
}

async function revokeAward(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = { reason: form.elements.reason.value.trim() };
  const number = form.elements.document_number.value.trim();
  if (number) body.document_number = number;
  if (!body.reason) {
    showError(form, { field: "reason", message: "请填写撤销原因。" });
    return;
  }
  try {
    await busy($("button[type=submit]", form), "正在撤销…",
      () => api("POST", `/v1/awards/${state.revoking.id}/revoke`, { body }));
    form.hidden = true;
    notice(`已撤销：${state.revoking.project.name}`);
    await loadAwards();
  } catch (exc) {
    showError(form, exc);
  }
}

async function loadAwardsTab() {
  await fetchPrograms();
  await loadAwards(true);
}

LOADERS.awards = loadAwardsTab;
SIGN_OUT_RESETS.push(() => { Object.keys(lastAwardChoices).forEach((k) => delete lastAwardChoices[k]); });

document.addEventListener("DOMContentLoaded", () => {
  $("#award-new").addEventListener("click", () => editAward(null));
  $("#winner-add").addEventListener("click", () => addWinner());
  $("#award-form").addEventListener("submit", saveAward);
  awardFormReady = checkedForm($("#award-form"), awardProblems);
  $("#place-city").addEventListener("change", () => { fillCounties().catch(() => null); });
  $("#place-county").addEventListener("change", showPlaceCode);
  $("#revoke-form").addEventListener("submit", revokeAward);
  $("#award-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    state.awardFilter = {
      program_id: form.elements.program_id.value,
      year: form.elements.year.value.trim(),
    };
    loadAwards(true).catch((exc) => notice(exc.message, "error"));
  });
  $("#award-prev").addEventListener("click", () => {
    state.awardPage = Math.max(0, state.awardPage - 1);
    loadAwards().catch((exc) => notice(exc.message, "error"));
  });
  $("#award-next").addEventListener("click", () => {
    if (!state.awardCursors[state.awardPage + 1]) return;
    state.awardPage += 1;
    loadAwards().catch((exc) => notice(exc.message, "error"));
  });
});
