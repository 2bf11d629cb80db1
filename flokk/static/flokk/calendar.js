// Drag and drop on the calendar: drop a post card on another day (month view) or day and hour (week
// view) to move it. The server decides whether the move is allowed; on success the page reloads, on a
// refusal its message is shown and nothing changes. Without JavaScript the list view's "Move to" form does
// the same.
(() => {
  const grid = document.querySelector("[data-reschedule-url]");
  if (!grid) return;
  let dragged = null;

  grid.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest('[data-post-id][draggable="true"]');
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.postId);
  });

  grid.addEventListener("dragend", () => {
    dragged = null;
  });

  grid.addEventListener("dragover", (event) => {
    if (dragged && event.target.closest && event.target.closest("[data-day]")) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });

  grid.addEventListener("drop", async (event) => {
    const cell = event.target.closest && event.target.closest("[data-day]");
    if (!cell || !dragged) return;
    event.preventDefault();
    const card = dragged;
    dragged = null;
    const body = new FormData();
    body.append("post", card.dataset.postId);
    if (cell.dataset.hour !== undefined) {
      // The week view moves to the dropped hour and keeps the minutes.
      const minutes = (card.dataset.time || "00:00").split(":")[1];
      body.append("at", `${cell.dataset.day}T${cell.dataset.hour.padStart(2, "0")}:${minutes}`);
    } else {
      body.append("date", cell.dataset.day);
    }
    const response = await fetch(grid.dataset.rescheduleUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": grid.dataset.csrf, Accept: "application/json" },
    });
    if (response.ok) {
      window.location.reload();
      return;
    }
    let message = response.statusText;
    try {
      message = (await response.json()).message || message;
    } catch {
      // Not JSON (an error page): keep the status text.
    }
    window.alert(message);
  });
})();
