// Tags as chips: the text box (comma-separated, what the server reads) stays the source of
// truth; chips mirror it, Enter or a comma adds the typed tag, x removes one.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-tags]")) {
    const box = document.createElement("div");
    box.className = "cnt-tags-box";
    const typing = document.createElement("input");
    typing.type = "text";
    typing.className = "cnt-tags-typing";
    typing.placeholder = "Add a tag…";
    typing.setAttribute("aria-label", "Add a tag");
    input.type = "hidden";
    input.after(box);
    const tags = () => input.value.split(",").map((t) => t.trim()).filter(Boolean);
    const render = () => {
      box.replaceChildren();
      tags().forEach((tag, index) => {
        const chip = document.createElement("span");
        chip.className = "cnt-tag";
        chip.textContent = tag;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `Remove ${tag}`);
        remove.addEventListener("click", () => {
          input.value = tags().filter((_, i) => i !== index).join(", ");
          render();
        });
        chip.append(remove);
        box.append(chip);
      });
      box.append(typing);
    };
    const add = (refocus) => {
      const tag = typing.value.replace(/,/g, " ").trim();
      const known = tags().map((t) => t.toLowerCase());
      if (tag && !known.includes(tag.toLowerCase())) {
        input.value = [...tags(), tag].join(", ");
      }
      typing.value = "";
      render();
      if (refocus) typing.focus();
    };
    typing.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === ",") {
        event.preventDefault();
        add(true);
      } else if (event.key === "Backspace" && !typing.value && tags().length) {
        input.value = tags().slice(0, -1).join(", ");
        render();
        typing.focus();
      }
    });
    typing.addEventListener("blur", () => add(false));
    render();
  }
});
