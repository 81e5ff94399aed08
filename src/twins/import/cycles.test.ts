import { findCycles } from './cycles';

const chain = (names: string[]) =>
  names.slice(1).map((to, i) => ({ from: names[i] ?? '', to, row: i }));

describe('findCycles', () => {
  it('when the graph is acyclic, then there is no cycle', () => {
    expect(findCycles(chain(['a', 'b', 'c', 'd']))).toEqual([]);
  });

  it('when a component holds several cycles, then one shortest cycle through its first row is given', () => {
    const edges = [
      { from: 'b', to: 'c', row: 0 },
      { from: 'c', to: 'd', row: 1 },
      { from: 'd', to: 'b', row: 2 },
      { from: 'c', to: 'b', row: 3 },
    ];
    expect(findCycles(edges)).toEqual([{ nodes: ['b', 'c', 'b'], row: 0, throughStored: false }]);
  });

  it('when only stored edges form a cycle, then it is not reported', () => {
    const edges = [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' },
      { from: 'b', to: 'c', row: 0 },
    ];
    expect(findCycles(edges)).toEqual([]);
  });

  it('when a chain is 200,000 long and closes, then it is found without deep recursion', () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `n${i}`);
    const edges = [...chain(names), { from: 'n199999', to: 'n0', row: 200_000 }];
    const [cycle] = findCycles(edges);
    expect(cycle?.nodes).toHaveLength(200_001);
    expect(cycle?.nodes.slice(0, 2)).toEqual(['n0', 'n1']);
    expect(cycle?.row).toBe(0);
  });
});
