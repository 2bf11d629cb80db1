// The inbox's keyboard shortcuts and small helpers. Everything also works without JavaScript.
(() => {
  const rows = () => Array.from(document.querySelectorAll("#conversation-list .conversation-row"));
  let current = -1;

  function select(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("selected", i === current));
    all[current].scrollIntoView({ block: "nearest" });
    all[current].querySelector("a").focus({ preventScroll: true });
  }

  function open() {
    const row = rows()[current];
    if (row) row.querySelector("a").click();
  }

  function typing(event) {
    const target = event.target;
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  function click(selector) {
    const element = document.querySelector("#conversation " + selector);
    if (element) element.click();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event)) { event.target.blur(); return; }
    if (typing(event)) return;
    const actions = {
      j: () => select(current + 1),
      k: () => select(current - 1),
      o: open,
      Enter: open,
      r: () => { const box = document.querySelector("#conversation textarea[name=text]"); if (box) box.focus(); },
      a: () => click("[data-shortcut-assign-me]"),
      e: () => click("[data-shortcut-resolve]"),
      "/": () => { const box = document.querySelector("[data-shortcut-search]"); if (box) box.focus(); },
      "?": () => { const help = document.getElementById("shortcuts"); if (help) help.showModal(); },
    };
    const action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  document.addEventListener("click", (event) => {
    const help = event.target.closest("[data-shortcuts-help]");
    if (help) { document.getElementById("shortcuts").showModal(); return; }
    const answer = event.target.closest("[data-answer-to]");
    if (answer) {
      const form = document.querySelector("#conversation form.answer");
      form.querySelector("input[name=in_reply_to]").value = answer.dataset.answerTo;
      const message = answer.closest(".message").querySelector(".message-text").textContent.trim();
      form.querySelector("[data-answer-target]").textContent = "↳ " + message.slice(0, 80);
      form.querySelector("textarea").focus();
      return;
    }
    const row = event.target.closest("#conversation-list .conversation-row");
    if (row) {
      current = rows().indexOf(row);
      rows().forEach((r) => r.classList.toggle("selected", r === row));
    }
  });

  document.addEventListener("change", (event) => {
    const saved = event.target.closest("[data-saved-reply]");
    if (saved && saved.value) {
      const box = document.querySelector("#conversation textarea[name=text]");
      box.value = box.value ? box.value + "\n" + saved.value : saved.value;
      saved.value = "";
      box.focus();
    }
  });

  // The list refreshes every few seconds: keep the selected row selected.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id !== "conversation-list" || current < 0) return;
    const all = rows();
    if (all[current]) all[current].classList.add("selected");
  });
})();
