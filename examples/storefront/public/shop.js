// The demo shop: a product grid, product pages and a cart, routed by the URL hash (so the widget sees SPA page
// changes). Everything is rendered with DOM APIs and textContent; the page runs under a strict CSP.

const PRODUCTS = [
  { id: 'trail-jacket', name: 'Trail Rain Jacket', price: 129, sizes: ['XS', 'S', 'M', 'L', 'XL'], blurb: 'Waterproof, breathable, packs into its own pocket.' },
  { id: 'merino-tee', name: 'Merino Wool Tee', price: 58, sizes: ['S', 'M', 'L', 'XL'], blurb: 'Soft, odour-resistant, made for long days outside.' },
  { id: 'hike-boots', name: 'Ridge Hiking Boots', price: 165, sizes: ['38', '39', '40', '41', '42', '43', '44', '45'], blurb: 'Grippy soles, half-size fit guide on the sizes page.' },
  { id: 'day-pack', name: 'Daypack 22 L', price: 89, sizes: ['One size'], blurb: 'Padded laptop sleeve, rain cover included.' },
  { id: 'fleece', name: 'Recycled Fleece', price: 74, sizes: ['S', 'M', 'L'], blurb: 'Made from 100 % recycled bottles.' },
  { id: 'socks', name: 'Cushioned Trail Socks (3 pairs)', price: 24, sizes: ['S', 'M', 'L'], blurb: 'Blister-free miles.' },
];

const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
const CART_KEY = 'northwind.cart';

function readCart() {
  try {
    const raw = JSON.parse(localStorage.getItem(CART_KEY) ?? '[]');
    return Array.isArray(raw) ? raw.filter((l) => PRODUCTS.some((p) => p.id === l.id)) : [];
  } catch {
    return []; // a corrupt cart is an empty cart
  }
}
function writeCart(lines) {
  localStorage.setItem(CART_KEY, JSON.stringify(lines));
  document.getElementById('cart-count').textContent = String(lines.reduce((n, l) => n + l.qty, 0));
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function productCard(p) {
  return el('li', { class: 'card' },
    el('div', { class: 'swatch', 'aria-hidden': 'true' }, p.name.slice(0, 1)),
    el('h2', {}, el('a', { href: `#/product/${p.id}` }, p.name)),
    el('p', { class: 'price' }, money.format(p.price)),
    el('p', {}, p.blurb));
}

function addToCart(id, size) {
  const lines = readCart();
  const line = lines.find((l) => l.id === id && l.size === size);
  if (line) line.qty++;
  else lines.push({ id, size, qty: 1 });
  writeCart(lines);
}

const views = {
  home: () => [el('h1', {}, 'Gear for the trail'), el('ul', { class: 'grid' }, ...PRODUCTS.map(productCard))],
  product: (id) => {
    const p = PRODUCTS.find((x) => x.id === id);
    if (!p) return [el('h1', {}, 'Not found'), el('p', {}, el('a', { href: '#/' }, 'Back to the shop'))];
    const select = el('select', { id: 'size' }, ...p.sizes.map((s) => el('option', { value: s }, s)));
    const status = el('p', { role: 'status', class: 'status' });
    return [
      el('h1', {}, p.name),
      el('p', { class: 'price' }, money.format(p.price)),
      el('p', {}, p.blurb),
      el('label', { for: 'size' }, 'Size '), select,
      el('button', { type: 'button', class: 'buy', onclick: () => { addToCart(p.id, select.value); status.textContent = 'Added to your cart.'; } }, 'Add to cart'),
      status,
    ];
  },
  cart: () => {
    const lines = readCart();
    if (lines.length === 0) return [el('h1', {}, 'Your cart'), el('p', {}, 'Your cart is empty.')];
    const total = lines.reduce((n, l) => n + l.qty * PRODUCTS.find((p) => p.id === l.id).price, 0);
    return [
      el('h1', {}, 'Your cart'),
      el('ul', { class: 'lines' }, ...lines.map((l) => {
        const p = PRODUCTS.find((x) => x.id === l.id);
        return el('li', {}, `${l.qty} × ${p.name} (${l.size}): ${money.format(l.qty * p.price)}`);
      })),
      el('p', { class: 'price' }, `Total: ${money.format(total)}`),
      el('button', { type: 'button', class: 'buy', onclick: () => { writeCart([]); render(); } }, 'Place order (demo)'),
    ];
  },
  shipping: () => [
    el('h1', {}, 'Shipping & returns'),
    el('p', {}, 'Standard delivery takes 3–5 working days in the UK and EU and is free over £50. See the FAQ in the chat for returns.'),
    el('p', {}, 'Questions? Open the chat bubble: the answers come instantly, and a person is one click away.'),
  ],
};

function render() {
  const [, route = '', arg] = location.hash.replace(/^#/, '').split('/');
  const view = document.getElementById('view');
  const nodes = route === 'product' ? views.product(arg) : (views[route] ?? views.home)();
  view.replaceChildren(...nodes);
  document.title = `${nodes[0].textContent} · Northwind Outfitters`;
}

addEventListener('hashchange', () => {
  render();
  document.getElementById('view').focus();
});
writeCart(readCart());
render();
