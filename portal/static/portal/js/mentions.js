// @mention suggestions under a text box (post, comment, reply, edit): the box asks the
// server with htmx as one types (communities:mentions), the server answers with buttons
// (templates/communities/_mention_options.html), and a click here completes the "@name"
// being typed at the end of the text. A static file, no inline handler: the pages' CSP
// allows no inline script.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-mention]");
  if (!button) return;
  const options = button.closest(".mention-options");
  const box = button.closest("form").querySelector("textarea");
  box.value = box.value.replace(/@\*{0,2}[^*@\n]*$/, "") + "@**" + button.dataset.mention + "** ";
  box.focus();
  if (options) options.replaceChildren();
});
