import { Field, ID, ObjectType } from 'type-graphql';
import type { DeleteOutcome } from './service';

@ObjectType({ description: 'A twin named by kind and id.', simpleResolvers: true })
export class TwinRef {
  @Field() kind!: string;
  @Field(() => ID) id!: string;
}

@ObjectType({ description: 'A relationship the deleted twin had.', simpleResolvers: true })
export class TwinLink {
  @Field() type!: string;
  @Field({ description: 'out or in, seen from the deleted twin.' }) direction!: string;
  @Field() kind!: string;
  @Field(() => ID) id!: string;
}

@ObjectType({ simpleResolvers: true })
export class DeleteResult {
  @Field(() => [TwinRef], { description: 'The twin and, with cascade, its dependents.' })
  deleted!: TwinRef[];

  @Field(() => [TwinLink], { description: 'The links the twin had when it was deleted.' })
  links!: TwinLink[];

  static of(outcome: DeleteOutcome): DeleteResult {
    return Object.assign(new DeleteResult(), {
      deleted: outcome.deleted.map(({ kind, id }) => Object.assign(new TwinRef(), { kind, id })),
      links: outcome.links.map((l) => Object.assign(new TwinLink(), l)),
    });
  }
}
