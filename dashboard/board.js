// Board view: post, search (and leave a reservation when nothing matches), reply to a post, read
// the replies to my own posts, and the notifications my reservations brought. Each request goes
// over a fresh onion route, so each shows progress.

import { get, post } from './api.js';
import { card, errorBox, fill, fmtTime, h, needBoard, parseFields, shortId, table, withProgress } from './ui.js';

const TTLS = [
  ['1 hour', 3600],
  ['1 day', 86_400],
  ['7 days', 7 * 86_400],
  ['30 days', 30 * 86_400],
];

export function boardView(root) {
  const postSlot = h('div', { class: 'slot' });
  const searchSlot = h('div', { class: 'slot' });
  const results = h('div', { id: 'board-results' });
  const repliesSlot = h('div', { class: 'slot' });
  const replies = h('div', { id: 'board-replies' });
  const notes = h('div', { id: 'board-notifications' });
  const replica = h('div', { id: 'board-replica' });

  const postText = h('textarea', { id: 'post-text', rows: 4, placeholder: 'What to post (anyone can search it; nobody can tell it was you)' });
  const postFields = h('textarea', { id: 'post-fields', rows: 2, placeholder: 'fields, one key=value a line (optional)' });
  const postTtl = h('select', { id: 'post-ttl' }, TTLS.map(([l, s]) => h('option', { value: s, selected: s === 86_400 }, l)));
  const postBtn = h('button', { type: 'submit', id: 'post-submit' }, 'Post anonymously');
  const postForm = h(
    'form',
    {
      id: 'post-form',
      onsubmit: (e) => {
        e.preventDefault();
        void withProgress(
          postSlot,
          'Sealing the post…',
          async (step) => {
            const body = { board: needBoard(), text: postText.value, fields: parseFields(postFields.value), ttlSeconds: Number(postTtl.value) };
            step('Seeking a route to the board and posting…');
            return post('/api/board/post', body);
          },
          { lock: [postBtn], done: (r) => [`Posted ${shortId(r.postId)} under the one-time ID ${shortId(r.anonymousId, 16)}; it expires ${fmtTime(r.expires)}.`] },
        ).then((r) => r && (postText.value = ''));
      },
    },
    h('label', null, 'Text', postText),
    h('label', null, 'Fields', postFields),
    h('div', { class: 'row' }, h('label', { class: 'inline nowrap' }, 'Keep for ', postTtl), postBtn),
  );

  const query = h('input', { id: 'search-query', type: 'search', placeholder: 'words to find' });
  const searchFields = h('input', { id: 'search-fields', type: 'text', placeholder: 'key=value, … (optional)' });
  const reserve = h('input', { id: 'search-reserve', type: 'checkbox' });
  const searchBtn = h('button', { type: 'submit', id: 'search-submit' }, 'Search');
  const searchForm = h(
    'form',
    {
      id: 'search-form',
      onsubmit: (e) => {
        e.preventDefault();
        void withProgress(
          searchSlot,
          'Seeking a route to the board…',
          async (step) => {
            const board = needBoard();
            const fields = parseFields(searchFields.value.split(',').join('\n'));
            step('Searching…');
            const r = await post('/api/board/search', { board, query: query.value, fields });
            let reservation;
            if (r.results.length === 0 && reserve.checked) {
              step('Nothing yet; leaving a reservation…');
              reservation = await post('/api/board/reserve', { board, query: query.value, fields, ttlSeconds: 7 * 86_400 });
            }
            return { results: r.results, reservation, board };
          },
          {
            lock: [searchBtn],
            done: (r) => {
              drawResults(results, r.results, r.board);
              if (r.reservation) return `Nothing found. Reservation ${shortId(r.reservation.reservationId)} left until ${fmtTime(r.reservation.expires)}: a matching post will show under Notifications.`;
              return `${r.results.length} post${r.results.length === 1 ? '' : 's'} found.`;
            },
          },
        );
      },
    },
    h('div', { class: 'row' }, query, searchFields, searchBtn),
    h('label', { class: 'inline' }, reserve, ' if nothing matches, leave a reservation (7 days) that notifies me anonymously'),
  );

  const repliesBtn = h('button', { type: 'button', id: 'replies-load' }, 'Load replies to my posts');
  repliesBtn.addEventListener('click', () =>
    void withProgress(repliesSlot, 'Fetching replies over an onion route…', async () => (await post('/api/board/replies', { board: needBoard() })).replies, {
      lock: [repliesBtn],
      done: (list) => {
        fill(
          replies,
          table(
            ['post', 'received', 'reply', 'answer address'],
            list.map((r) => [h('code', null, shortId(r.postId)), fmtTime(r.created), h('span', { class: 'text' }, r.text), r.answerAddress ? h('code', null, shortId(r.answerAddress, 16)) : '—']),
            { empty: 'No replies to your posts yet.' },
          ),
        );
        return `${list.length} repl${list.length === 1 ? 'y' : 'ies'}.`;
      },
    }),
  );

  fill(
    root,
    h(
      'div',
      { class: 'cols' },
      card('Post', { hint: 'Signed under a fresh one-time anonymous ID; the board cannot tell who posted.' }, postForm, postSlot),
      card('Notifications', { hint: 'Posts that matched a reservation of yours, delivered anonymously.' }, notes),
    ),
    card('Search', null, searchForm, searchSlot, results),
    card('Replies to my posts', { hint: 'Only you (the poster) can open them.' }, repliesBtn, repliesSlot, replies),
    card('Replica', { hint: 'Shown when this node also serves a replica of a board.' }, replica),
  );

  let timer;
  const refresh = async () => {
    try {
      const n = await get('/api/board/notifications');
      fill(
        notes,
        table(
          ['received', 'post', 'text'],
          (n.notifications ?? []).map((x) => [fmtTime(x.receivedAt), h('code', null, shortId(x.post?.postId)), h('span', { class: 'text' }, x.post?.text ?? '')]),
          { empty: 'None yet.' },
        ),
      );
    } catch (e) {
      fill(notes, errorBox(e));
    }
  };
  const loadReplica = async () => {
    try {
      const s = await get('/api/board/status');
      fill(
        replica,
        h('p', null, 'Address ', h('code', { class: 'wrap' }, s.address)),
        table(['posts', 'replies', 'reservations', 'peers', 'integrity'], [[s.stored?.posts, s.stored?.replies, s.stored?.reservations, (s.peers ?? []).length, s.integrity ? 'ok' : 'FAILED']]),
      );
    } catch (e) {
      fill(replica, e.code === 'BOARD_NO_REPLICA' || e.status === 404 ? h('p', { class: 'empty' }, 'This node runs no replica.') : errorBox(e));
    }
  };
  return {
    async show() {
      await Promise.all([refresh(), loadReplica()]);
      timer = setInterval(refresh, 5_000);
    },
    hide() {
      clearInterval(timer);
    },
  };
}

/**
 * @param {HTMLElement} el
 * @param {import('tokumei-control-routes').PostRoutes['/api/board/search']['answer']['results']} results
 * @param {string} board
 */
function drawResults(el, results, board) {
  fill(
    el,
    results.map((r) => {
      const slot = h('div', { class: 'slot' });
      const text = h('input', { type: 'text', placeholder: 'reply (only the poster can read it)' });
      const btn = h('button', { type: 'submit' }, 'Reply');
      return h(
        'div',
        { class: 'post', dataset: { postId: r.postId } },
        h('div', { class: 'meta' }, h('code', null, shortId(r.postId)), ` · ${fmtTime(r.created)} · expires ${fmtTime(r.expires)}`, (r.fields ?? []).map((f) => h('span', { class: 'tag' }, `${f.key}=${f.value}`))),
        h('pre', { class: 'text' }, r.text),
        h(
          'form',
          {
            class: 'row',
            onsubmit: (e) => {
              e.preventDefault();
              void withProgress(slot, 'Replying over an onion route…', () => post('/api/board/reply', { board, postId: r.postId, text: text.value }), {
                lock: [btn],
                done: (x) => `Reply ${shortId(x.replyId)} stored.`,
              });
            },
          },
          text,
          btn,
        ),
        slot,
      );
    }),
  );
}
