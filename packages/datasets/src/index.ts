export * from './dataset-error';
export * from './idx-file';
export * from './mnist';
export * from './fashion-mnist';
export * from './cifar10';
export * from './image-dataset';
export * from './synthetic';
export * from './twelve-bit-task';
