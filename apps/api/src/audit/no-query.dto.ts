/**
 * The query of an admin endpoint that takes none: with the admin validation pipe, any query
 * parameter is refused (400 "x is not an accepted parameter") instead of silently ignored.
 */
export class NoQueryDto {}
