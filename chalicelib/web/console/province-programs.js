/* 奖项清单: a province's section of the console (loaded after console.js, whose helpers it
 * uses): its programmes with their status, a draft's form, the approval document's upload
 * and check, and 提交审核. */
"use strict";

async function loadPrograms() {
  const items = await fetchPrograms();
  const body = $("#program-table tbody");
  body.replaceChildren(...items.map((program) => el("tr", {},
    el("td", {}, program.name),
    el("td", {}, el("div", {},
      el("span", { class: `badge ${program.status}` }, STATUS_ZH[program.status] || program.status),
      statusReason(program))),
    el("td", {}, formatTime(program.updated_at)),
    el("td", {}, el("button", {
      type: "button", class: "secondary", onclick: () => openProgram(program.id),
    }, "查看")),
  )));
  labelCells($("#program-table"));
  $("#program-empty").hidden = items.length > 0;
}

/* Why an administrator rejected or withdrew it, beside the status: the province reads the
 * reason in its list without opening the programme (the last such change in its history). */
function statusReason(program) {
  if (program.status !== "rejected" && program.status !== "withdrawn") return null;
  const change = [...(program.status_history || [])].reverse().find((c) => c.status === program.status);
  if (!change || !change.reason) return null;
  const since = change.effective_on ? `（自${formatDate(change.effective_on)}起）` : "";
  return el("span", { class: "hint" }, ` 理由：${change.reason}${since}`);
}

function programFromForm(form) {
  const value = (name) => form.elements[name].value.trim();
  return {
    name: value("name"),
    organizer: value("organizer"),
    authority_relation: value("authority_relation"),
    cycle: value("cycle"),
    categories: $$('input[name="category"]:checked', form).map((box) => box.value),
    approval: {
      issuer: value("approval.issuer"),
      document_number: value("approval.document_number"),
      approved_on: value("approval.approved_on"),
    },
    classified: form.elements.classified.checked,
    disclosable: form.elements.disclosable.checked,
  };
}

/* Every problem of the form at once (and on leaving a field): what the API would refuse,
 * said in the form's words, and an approval date that cannot be. */
function programProblems(form) {
  const problems = requiredProblems(form, [
    ["name", "奖项名称"], ["organizer", "组织单位"],
    ["approval.issuer", "批准机关"], ["approval.document_number", "批准文号"],
    ["approval.approved_on", "批准日期"],
  ]);
  if (!$$('input[name="category"]:checked', form).length) {
    problems.push({ field: "categories", message: "请至少选择一个工程类别。" });
  }
  const approved = dateProblem("approval.approved_on", form.elements["approval.approved_on"].value,
    { label: "批准日期", earliest: "1949-10-01" });
  if (approved) problems.push(approved);
  if (form.elements.classified.checked || !form.elements.disclosable.checked) {
    problems.push({ field: form.elements.classified.checked ? "classified" : "disclosable",
      message: ERROR_TEXTS.program_not_disclosable });
  }
  return problems;
}

let programFormReady = () => true;

function editProgram(program) {
  const form = $("#program-form");
  form.reset();
  clearErrors(form);
  state.editingProgram = program;
  $("#program-form-title").textContent = program ? `修改草稿：${program.name}` : "新建奖项";
  if (program) {
    for (const name of ["name", "organizer", "authority_relation", "cycle"]) {
      form.elements[name].value = program[name];
    }
    for (const name of ["issuer", "document_number", "approved_on"]) {
      form.elements[`approval.${name}`].value = program.approval[name] || "";
    }
    $$('input[name="category"]', form).forEach((box) => {
      box.checked = program.categories.includes(box.value);
    });
    form.elements.classified.checked = Boolean(program.classified);
    form.elements.disclosable.checked = program.disclosable !== false;
  }
  $("#program-detail").hidden = true;
  form.hidden = false;
  form.elements.name.focus();
}

async function saveProgram(event) {
  event.preventDefault();
  const form = event.currentTarget;
  if (!programFormReady()) return;
  const body = programFromForm(form);
  try {
    const saved = await busy($("button[type=submit]", form), "正在保存…", async () => {
      if (state.editingProgram) {
        return (await api("PUT", `/v1/programs/${state.editingProgram.id}`, {
          body, headers: { "If-Match": `"${state.editingProgram.version}"` },
        })).data;
      }
      return (await api("POST", "/v1/programs", { body })).data;
    });
    form.hidden = true;
    notice(`已保存：${saved.name}`);
    await loadPrograms();
    await openProgram(saved.id);
  } catch (exc) {
    if (exc.status === 412) {
      showError(form, { message: "该奖项已被他人修改，已重新载入，请核对后再保存。" });
      const fresh = (await api("GET", `/v1/programs/${state.editingProgram.id}`)).data;
      editProgram(fresh);
      showError(form, { message: "该奖项已被他人修改，已重新载入，请核对后再保存。" });
    } else {
      showError(form, exc);
    }
  }
}

async function openProgram(id) {
  const program = (await api("GET", `/v1/programs/${id}`)).data;
  state.detail = program;
  const box = $("#program-detail");
  $("#program-form").hidden = true;
  $("#pd-name").textContent = program.name;
  showFacts($("#pd-facts"), [
    ["状态", STATUS_ZH[program.status] || program.status],
    ...programFacts(program),
  ]);
  $("#pd-history").replaceChildren(...program.status_history.map((change) => el("li", {},
    timeElement(change.at, "time"), " ",
    el("strong", {}, STATUS_ZH[change.status] || change.status),
    change.reason ? `：${change.reason}` : "",
    change.effective_on ? `（自${formatDate(change.effective_on)}起）` : "",
  )));
  const current = currentDocumentId(program);
  $("#pd-documents").replaceChildren(...program.documents.map((doc) => el("li", {
    class: doc.id === current ? "current" : "superseded",
  },
    `${doc.filename}（${(doc.size / 1024).toFixed(1)} KB）`, " ",
    el("span", { class: `badge doc-${doc.status}` }, DOC_STATUS_ZH[doc.status] || doc.status),
    documentReason(doc) ? `：${documentReason(doc)}` : "",
    " ", documentMark(doc, current),
  )));
  if (!program.documents.length) $("#pd-documents").append(el("li", {}, "尚未上传"));
  const draft = program.status === "draft" || program.status === "rejected";
  $("#pd-upload").hidden = program.status !== "draft";
  $("#pd-edit").hidden = !draft;
  $("#pd-submit").hidden = program.status !== "draft";
  $("#pd-error").textContent = "";
  $("#pd-upload-status").textContent = "";
  box.hidden = false;
}

async function uploadApproval() {
  const program = state.detail;
  const file = $("#pd-file").files[0];
  const status = $("#pd-upload-status");
  $("#pd-error").textContent = "";
  if (!file) { $("#pd-error").textContent = "请先选择批准文件（PDF 或 OFD）。"; return; }
  const type = file.name.toLowerCase().endsWith(".ofd") ? "application/ofd" : "application/pdf";
  const button = $("#pd-upload-button");
  button.disabled = true;
  try {
    status.textContent = "正在计算文件摘要……";
    const sha256 = await sha256Hex(await file.arrayBuffer());
    status.textContent = "正在上传……";
    const declared = (await api("POST", `/v1/programs/${program.id}/documents`, {
      body: { filename: file.name, content_type: type, size: file.size, sha256 },
    })).data;
    await uploadForm(declared.upload, file);
    status.textContent = "正在核验……";
    const checked = (await api("POST",
      `/v1/programs/${program.id}/documents/${declared.document_id}/check`)).data;
    await openProgram(program.id);
    status.textContent = checked.status === "verified"
      ? `${file.name}：已核验`
      : `${file.name}：未通过核验。${documentReason(checked)}`;
  } catch (exc) {
    status.textContent = "";
    $("#pd-error").textContent = exc.message;
  } finally {
    button.disabled = false;
  }
}

async function submitProgram() {
  const program = state.detail;
  if (!confirmAction(`提交审核“${program.name}”？提交后由住房和城乡建设部审核，审核期间不能修改。`)) return;
  try {
    await busy($("#pd-submit"), "正在提交…", () => api("POST", `/v1/programs/${program.id}/submit`));
    notice(`已提交审核：${program.name}`);
    await loadPrograms();
    await openProgram(program.id);
  } catch (exc) {
    $("#pd-error").textContent = exc.message;
  }
}


LOADERS.programs = loadPrograms;

document.addEventListener("DOMContentLoaded", () => {
  $("#program-new").addEventListener("click", () => editProgram(null));
  $("#program-form").addEventListener("submit", saveProgram);
  programFormReady = checkedForm($("#program-form"), programProblems);
  $('#program-form input[name="approval.approved_on"]').max = chinaToday();
  $("#pd-edit").addEventListener("click", () => editProgram(state.detail));
  $("#pd-upload-button").addEventListener("click", uploadApproval);
  $("#pd-submit").addEventListener("click", submitProgram);
});
