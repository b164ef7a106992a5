// One question on one screen, for every question type of the API. Each
// renderer returns the element and reads the answer back; the server stays
// the judge of what is valid.
const SVG = 'http://www.w3.org/2000/svg';

/// A face drawn for rating `i` of 0..4: from very sad to very happy. Drawn,
/// not an emoji, so that every phone shows the same five faces.
function face(i) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 48 48');
  svg.setAttribute('width', '44');
  svg.setAttribute('height', '44');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'face');
  const part = (tag, attrs) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    svg.append(e);
  };
  const colours = ['#e4572e', '#f3a712', '#f6d55c', '#a8c256', '#3caea3'];
  part('circle', { cx: 24, cy: 24, r: 22, fill: colours[i], stroke: '#1b1f23', 'stroke-width': 2 });
  part('circle', { cx: 17, cy: 19, r: 3, fill: '#1b1f23' });
  part('circle', { cx: 31, cy: 19, r: 3, fill: '#1b1f23' });
  const bend = [-9, -4, 0, 5, 10][i];
  part('path', { d: `M14 33 Q24 ${33 + bend} 34 33`, fill: 'none', stroke: '#1b1f23', 'stroke-width': 3, 'stroke-linecap': 'round' });
  return svg;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === undefined || v === null) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}
export { el };

/// The value a `show_if` compares: option keys, `yes`/`no`, numbers as text.
function asShown(v) {
  if (v === true) return ['yes'];
  if (v === false) return ['no'];
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null || v === '') return [];
  return [String(v)];
}

export function visible(q, answers) {
  if (!q.show_if) return true;
  return asShown(answers[q.show_if.question]).some((v) => q.show_if.in.includes(v));
}

/// `speak(text)` gives a read-aloud button for an option, or null: young
/// children get one beside each option (outside the label, so that
/// listening never chooses).
function choiceList(q, name, type, checked, speak, onChange) {
  const box = el('div', { class: 'choices' });
  for (const o of q.options) {
    const input = el('input', { type, name, value: o.key, checked: checked(o.key), onchange: onChange });
    const label = el('label', { class: 'choice' }, input, el('span', { text: o.label }));
    const listen = speak(o.label);
    box.append(listen ? el('div', { class: 'option' }, label, listen) : label);
  }
  return box;
}

/// Renders `q` with its current answer; returns { node, read() }.
/// `speak(text, name)` gives a read-aloud button, or null where no voice
/// speaks the survey's language.
export function render(q, current, tr, ageBand, speak = () => null) {
  const young = ageBand === '6-8' || ageBand === '9-11';
  const speakOption = (text) => (young ? speak(text, `${tr.listen}: ${text}`) : null);
  const name = `q-${q.key}`;
  const legend = el('legend', { id: `${name}-text` }, el('h1', { text: q.text }));
  const field = el('fieldset', { 'aria-describedby': `${name}-hint` }, legend, speak(q.text, `${tr.listen}: ${q.text}`));
  const hint = el('p', { id: `${name}-hint`, class: 'hint' });
  let read = () => undefined;
  switch (q.type) {
    case 'single_choice': {
      field.append(choiceList(q, name, 'radio', (k) => current === k, speakOption));
      read = () => field.querySelector('input:checked')?.value;
      break;
    }
    case 'multiple_choice': {
      const list = Array.isArray(current) ? current : [];
      field.append(choiceList(q, name, 'checkbox', (k) => list.includes(k), speakOption));
      if (q.max_choices) hint.textContent = tr.chooseBetween(q.min_choices || 1, q.max_choices);
      read = () => {
        const v = [...field.querySelectorAll('input:checked')].map((i) => i.value);
        return v.length ? v : undefined;
      };
      break;
    }
    case 'yes_no': {
      const opts = { options: [{ key: 'yes', label: tr.yes }, { key: 'no', label: tr.no }] };
      const now = current === true ? 'yes' : current === false ? 'no' : undefined;
      field.append(choiceList(opts, name, 'radio', (k) => now === k, speakOption));
      read = () => {
        const v = field.querySelector('input:checked')?.value;
        return v === undefined ? undefined : v === 'yes';
      };
      break;
    }
    case 'rating': {
      const min = q.min ?? 1;
      const max = q.max ?? 5;
      const faces = q.faces && ageBand === '6-8' && max - min === 4;
      const box = el('div', { class: faces ? 'faces' : 'choices' });
      for (let v = min; v <= max; v += 1) {
        const input = el('input', { type: 'radio', name, value: String(v), checked: current === v });
        const label = faces
          ? el('span', { class: 'face-label' }, face(v - min), el('span', { text: String(v) }))
          : el('span', { text: '\u2605'.repeat(v - min + 1) + ` ${v}` });
        box.append(el('label', { class: 'choice' }, input, label));
      }
      field.append(box);
      hint.textContent = `${min} \u2192 ${max}`;
      read = () => {
        const v = field.querySelector('input:checked')?.value;
        return v === undefined ? undefined : Number(v);
      };
      break;
    }
    case 'number': {
      const input = el('input', { type: 'number', id: name, inputmode: 'numeric', min: q.min, max: q.max, value: current ?? '', 'aria-labelledby': `${name}-text` });
      field.append(input);
      if (q.min !== null && q.max !== null) hint.textContent = tr.numberBetween(q.min, q.max);
      read = () => (input.value === '' ? undefined : Number(input.value));
      break;
    }
    case 'text': {
      const max = q.max_length || 500;
      const area = el('textarea', { id: name, maxlength: max, 'aria-labelledby': `${name}-text` });
      area.value = current || '';
      const count = el('p', { class: 'hint', 'aria-live': 'polite' });
      const update = () => { count.textContent = tr.chars(area.value.length, max); };
      area.addEventListener('input', update);
      update();
      hint.textContent = tr.textReminder;
      field.append(area, count);
      read = () => (area.value.trim() === '' ? undefined : area.value);
      break;
    }
    case 'ranking': {
      const order = Array.isArray(current) && current.length ? [...current] : q.options.map((o) => o.key);
      const label = (k) => q.options.find((o) => o.key === k)?.label || k;
      const list = el('ol', { class: 'ranking' });
      const draw = (focusKey, dir) => {
        list.replaceChildren(...order.map((k, i) => el('li', {},
          el('span', { text: `${i + 1}. ${label(k)}` }),
          el('button', { type: 'button', class: 'secondary', 'data-key': k, 'data-dir': 'up', disabled: i === 0, 'aria-label': `${tr.up}: ${label(k)}`, onclick: () => move(i, -1) }, '\u2191'),
          el('button', { type: 'button', class: 'secondary', 'data-key': k, 'data-dir': 'down', disabled: i === order.length - 1, 'aria-label': `${tr.down}: ${label(k)}`, onclick: () => move(i, 1) }, '\u2193'))));
        if (focusKey) {
          const target = list.querySelector(`button[data-key="${focusKey}"][data-dir="${dir}"]:not([disabled])`)
            || list.querySelector(`button[data-key="${focusKey}"]:not([disabled])`);
          target?.focus();
        }
      };
      const move = (i, d) => {
        const j = i + d;
        [order[i], order[j]] = [order[j], order[i]];
        draw(order[j], d < 0 ? 'up' : 'down');
        // Kept at once, as a choice is: a reload finds the new order.
        list.dispatchEvent(new Event('change', { bubbles: true }));
      };
      draw();
      field.append(list);
      read = () => [...order];
      break;
    }
    default:
      field.append(el('p', { class: 'error', text: q.type }));
  }
  if (hint.textContent) field.append(hint);
  return { node: field, read };
}
