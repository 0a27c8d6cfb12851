// Renders products after load, the way a single-page app adds buttons the
// widget has never seen: its delegated listeners must handle them.
const products = [
  ["mug", "Enamel camping mug"],
  ["coffee-250", "Single-origin coffee beans, 250 g"],
];
setTimeout(() => {
  const list = document.getElementById("spa-products");
  for (const [sku, title] of products) {
    const card = document.createElement("article");
    card.className = "product";
    const h = document.createElement("h2");
    h.textContent = title;
    const add = document.createElement("button");
    add.textContent = "Add to basket";
    add.dataset.qcAdd = sku;
    card.append(h, add);
    list.append(card);
  }
}, 300);
