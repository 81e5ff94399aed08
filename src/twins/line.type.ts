import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection';
import { num, optStr, type Props, str } from '../graph/props';

@ObjectType({
  description: 'A production line of a factory; its assets are its stations.',
  simpleResolvers: true,
})
export class Line {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Float, { description: 'Shifts worked per day (default 2).' })
  shiftsPerDay!: number;

  @Field(() => Float, { description: 'Hours per shift (default 8).' })
  hoursPerShift!: number;

  @Field(() => Float, {
    description: 'Hours the line works per day: shiftsPerDay × hoursPerShift.',
  })
  get hoursPerDay(): number {
    return this.shiftsPerDay * this.hoursPerShift;
  }

  static fromProps(p: Props): Line {
    return Object.assign(new Line(), {
      id: str(p, 'id'),
      name: optStr(p, 'name') ?? str(p, 'id'),
      shiftsPerDay: num(p, 'shiftsPerDay', 2),
      hoursPerShift: num(p, 'hoursPerShift', 8),
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class LineConnection extends Connection('Line', Line) {}
