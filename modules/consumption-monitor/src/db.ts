import type { QueryTypes } from 'sequelize';

/** `type` of a Sequelize query that returns rows (the enum's value, without importing Sequelize at run time). */
export const SELECT = 'SELECT' as QueryTypes.SELECT;
