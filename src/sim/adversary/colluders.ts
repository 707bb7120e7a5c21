/** Which members collude in an attack: a seeded draw of `share` of the nodes (at least one). */
import type { SeededRandom, Testnet } from '../../index.js';

export function chooseColluders(net: Testnet, share: number, rng: SeededRandom): Set<string> {
  const ids = net.nodes.map((n) => n.id);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return new Set(ids.slice(0, Math.max(1, Math.round(share * ids.length))));
}
