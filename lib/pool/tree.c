/*
 * The free tree: a binary tree of free blocks by size, one node for
 * each size, each node the head of a circular doubly linked list of
 * all the free blocks of its size.  Best fit is the smallest node at
 * least as large as the request.  The tree is not balanced, as Plan
 * 9's is not: sizes are freed in no order that keeps it a list for long.
 */
#include "fns.h"

/* where the pointer to the node of size is, or would be */
static Free**
walk(Free **t, u64 size)
{
	while(*t != NULL && (*t)->h.size != size)
		t = size < (*t)->h.size ? &(*t)->left : &(*t)->right;
	return t;
}

/* take node out of the tree at *loc; its in-order successor takes its place */
static void
treedelete(Free **loc, Free *node)
{
	Free **ls, *succ;

	if(node->left == NULL)
		*loc = node->right;
	else if(node->right == NULL)
		*loc = node->left;
	else{
		for(ls = &node->right; (*ls)->left != NULL; ls = &(*ls)->left)
			;
		succ = *ls;
		*ls = succ->right;
		succ->left = node->left;
		succ->right = node->right;
		*loc = succ;
	}
	node->left = node->right = NULL;
}

/* b, of no state, into the free pool; it goes last in its size's list */
Free*
pooladd(Pool *p, Bhdr *b)
{
	Free **loc, *f, *head;

	antagonism {
		blockmark(B2D(b), 0xF7, b->size - sizeof(Bhdr) - sizeof(Btail));
	}
	f = (Free*)b;
	f->h.magic = FREE_MAGIC;
	f->left = f->right = NULL;
	loc = walk((Free**)&p->freeroot, b->size);
	if((head = *loc) == NULL){
		f->next = f->prev = f;
		*loc = f;
	}else{
		f->next = head;
		f->prev = head->prev;
		f->prev->next = f;
		head->prev = f;
	}
	p->curfree += b->size;
	return f;
}

/* f out of the free pool; if it heads its list, the next one takes its node */
Bhdr*
pooldel(Pool *p, Free *f)
{
	Free **loc, *head, *n;

	loc = walk((Free**)&p->freeroot, f->h.size);
	if((head = *loc) == NULL)
		blockpanic(p, &f->h, "free block of size %lu not in the free tree", f->h.size);
	if(f->next == f){
		if(head != f)
			blockpanic(p, &f->h, "free block alone in its list but not its tree node");
		treedelete(loc, f);
	}else{
		f->next->prev = f->prev;
		f->prev->next = f->next;
		if(head == f){
			n = f->next;
			n->left = f->left;
			n->right = f->right;
			*loc = n;
		}
	}
	f->left = f->right = f->next = f->prev = NULL;
	p->curfree -= f->h.size;
	antagonism {
		blockmark(B2D(f), 0xF9, f->h.size - sizeof(Bhdr) - sizeof(Btail));
	}
	f->h.magic = UNALLOC_MAGIC;
	return &f->h;
}

/* the smallest free block of at least bsize bytes, nil if none */
Free*
poolbestfit(Pool *p, u64 bsize)
{
	Free *t, *best;

	best = NULL;
	for(t = p->freeroot; t != NULL; ){
		if(t->h.size == bsize)
			return t;
		if(bsize < t->h.size){
			best = t;
			t = t->left;
		}else
			t = t->right;
	}
	return best;
}

/* one node: sizes must rise in order, its list must hold blocks of its size only */
static void
checknode(Pool *p, Free *t, u64 *last, u64 *nblock, u64 *nbyte)
{
	Free *q;

	if(t->h.magic != FREE_MAGIC)
		blockpanic(p, &t->h, "free tree node not free");
	if(t->h.size <= *last)
		blockpanic(p, &t->h, "free tree out of order: size %lu after %lu", t->h.size, *last);
	*last = t->h.size;
	q = t;
	do{
		if(q->h.magic != FREE_MAGIC || q->h.size != t->h.size)
			blockpanic(p, &q->h, "in the free list of size %lu but not free or not that size", t->h.size);
		if(q->next->prev != q || q->prev->next != q)
			blockpanic(p, &q->h, "free list links broken");
		(*nblock)++;
		*nbyte += q->h.size;
		q = q->next;
	}while(q != t);
}

/*
 * Check the tree in order, counting the blocks and bytes it holds.
 * A Morris walk: the way back up is threaded through the right links
 * of the nodes before, and each thread taken out as it is followed,
 * so the check needs no stack however deep the tree has grown.
 */
void
poolchecktree(Pool *p, u64 *nblock, u64 *nbyte)
{
	Free *t, *pre;
	u64 last;

	last = 0;
	*nblock = *nbyte = 0;
	t = p->freeroot;
	while(t != NULL){
		if(t->left == NULL){
			checknode(p, t, &last, nblock, nbyte);
			t = t->right;
			continue;
		}
		for(pre = t->left; pre->right != NULL && pre->right != t; pre = pre->right)
			;
		if(pre->right == NULL){
			pre->right = t;
			t = t->left;
		}else{
			pre->right = NULL;
			checknode(p, t, &last, nblock, nbyte);
			t = t->right;
		}
	}
}
