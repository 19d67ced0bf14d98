import { expect } from 'chai';
import { groupHeading, groupTiles } from '../dist/web/tiles.js';
import type { TileRow } from '../dist/store/sensor-store.js';

describe('temperature-monitor: dashboard group headings', () => {
  it('names a group by its word and label, without doubling a word the label has already', () => {
    expect(groupHeading('Room', 'A')).to.equal('Room A');
    expect(groupHeading('Room', 'Room A')).to.equal('Room A');
    expect(groupHeading('Room', 'room-2')).to.equal('room-2');
    expect(groupHeading('Rack', 'R7')).to.equal('Rack R7');
    expect(groupHeading('Rack', 'Rack R1')).to.equal('Rack R1');
    // "Racks" is not the word "Rack": a label that merely starts with its letters still gets it.
    expect(groupHeading('Rack', 'Rackspace 4')).to.equal('Rack Rackspace 4');
    expect(groupHeading('Room', '')).to.equal('No room');
    expect(groupHeading('Rack', '')).to.equal('No rack');
  });

  it('gives every room and rack of the dashboard its heading', () => {
    const row = (id: number, room: string, rack: string): TileRow => ({
      id,
      name: `S${id}`,
      state: 'ok',
      reading: 30,
      read_at: null,
      note: null,
      room,
      rack,
      host_id: id,
      host_name: `h${id}`,
      host_state: 'ok',
    });
    const groups = groupTiles([row(1, 'Room A', 'R1'), row(2, 'Room A', 'Rack R2'), row(3, '', '')], new Date(), 60);
    expect(groups.rooms.map((r) => r.heading)).to.deep.equal(['Room A', 'No room']);
    expect(groups.rooms[0]!.racks.map((r) => r.heading)).to.deep.equal(['Rack R1', 'Rack R2']);
    expect(groups.rooms[1]!.racks.map((r) => r.heading)).to.deep.equal(['No rack']);
  });
});
